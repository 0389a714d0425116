// Tests of core/secrets.h: a true positive for every rule (exact masked
// output), ordinary commands that must stay byte-for-byte unchanged, config
// (disable / extra), bytes that are not UTF-8, and the combination rules.
#include "core/secrets.h"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace tb {
namespace {

struct Case {
  const char* in;
  const char* out;
};

// Commands as typed, and what is recorded. Grouped by the rule that names
// the (first) marker. Literal "\n" in these raw strings is a backslash and an
// n, as typed in a shell.
const Case kTruePositives[] = {
    // private-key
    {R"tb(cat > key.pem <<< '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF0qZ\n-----END RSA PRIVATE KEY-----')tb",
     R"tb(cat > key.pem <<< '-----BEGIN RSA PRIVATE KEY-----‹private-key›-----END RSA PRIVATE KEY-----')tb"},
    {R"tb(echo "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-----END PRIVATE KEY-----" | openssl pkey)tb",
     R"tb(echo "-----BEGIN PRIVATE KEY-----‹private-key›-----END PRIVATE KEY-----" | openssl pkey)tb"},
    {R"tb(printf '%s' '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oJ4sG2yU7yQ4oAoGCCqGSM49\n' > ec.pem)tb",
     R"tb(printf '%s' '-----BEGIN EC PRIVATE KEY-----‹private-key›)tb"},
    {R"tb(echo -----BEGIN OPENSSH PRIVATE KEY-----b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ)tb",
     R"tb(echo -----BEGIN OPENSSH PRIVATE KEY-----‹private-key›)tb"},
    {R"tb(echo '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0abcdefghijklmnopqrst\n-----END PGP PRIVATE KEY BLOCK-----')tb",
     R"tb(echo '-----BEGIN PGP PRIVATE KEY BLOCK-----‹private-key›-----END PGP PRIVATE KEY BLOCK-----')tb"},
    {R"tb(echo '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF0qZ\n-----END RSA PRIVATE KEY-----' > k.pem)tb",
     R"tb(echo '-----BEGIN RSA PRIVATE KEY-----‹private-key›-----END RSA PRIVATE KEY-----' > k.pem)tb"},
    // aws-access-key
    {R"tb(aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE)tb",
     R"tb(aws configure set aws_access_key_id ‹aws-access-key›)tb"},
    {R"tb(export AWS_ACCESS_KEY_ID=ASIAY34FZKBOKMUTVV7A)tb",
     R"tb(export AWS_ACCESS_KEY_ID=‹aws-access-key›)tb"},
    {R"tb(echo '{"AccessKeyId":"ASIAY34FZKBOKMUTVV7A","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}')tb",
     R"tb(echo '{"AccessKeyId":"‹aws-access-key›","SecretAccessKey":"‹aws-secret-key›"}')tb"},
    {R"tb(export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY)tb",
     R"tb(export AWS_ACCESS_KEY_ID=‹aws-access-key› AWS_SECRET_ACCESS_KEY=‹aws-secret-key›)tb"},
    // aws-secret-key
    {R"tb(aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY)tb",
     R"tb(aws configure set aws_secret_access_key ‹aws-secret-key›)tb"},
    {R"tb(aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY)tb",
     R"tb(aws_secret_access_key = ‹aws-secret-key›)tb"},
    {R"tb(export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY)tb",
     R"tb(export AWS_SECRET_ACCESS_KEY=‹aws-secret-key›)tb"},
    // github-token
    {R"tb(gh auth login --with-token ghs_16C7e42F292c6912E7710c838347Ae178B4a)tb",
     R"tb(gh auth login --with-token ‹github-token›)tb"},
    {R"tb(curl -H "Authorization: token gho_16C7e42F292c6912E7710c838347Ae178B4a" https://api.github.com/user)tb",
     R"tb(curl -H "Authorization: token ‹github-token›" https://api.github.com/user)tb"},
    {R"tb(echo ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498)tb",
     R"tb(echo ‹github-token›)tb"},
    {R"tb(git clone https://user:ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r.git)tb",
     R"tb(git clone https://user:‹github-token›@github.com/o/r.git)tb"},
    {R"tb(git clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r.git)tb",
     R"tb(git clone https://‹github-token›@github.com/o/r.git)tb"},
    {R"tb(export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789)tb",
     R"tb(export GITHUB_TOKEN=‹github-token›)tb"},
    {R"tb(gh auth login --with-token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345)tb",
     R"tb(gh auth login --with-token ‹github-token›)tb"},
    // gitlab-token
    {R"tb(curl -H "PRIVATE-TOKEN: glpat-xxxxxxxxxxxxxxxxxxxx" https://gitlab.example.com/api/v4/projects)tb",
     R"tb(curl -H "PRIVATE-TOKEN: ‹gitlab-token›" https://gitlab.example.com/api/v4/projects)tb"},
    {R"tb(docker login -u deploy -p gldt-aBcDeFgHiJkLmNoPqRsT registry.gitlab.com)tb",
     R"tb(docker login -u deploy -p ‹gitlab-token› registry.gitlab.com)tb"},
    {R"tb(gitlab-runner register --token glrt-t1_AbCdEfGhIjKlMnOpQrSt)tb",
     R"tb(gitlab-runner register --token ‹gitlab-token›)tb"},
    {R"tb(curl -H "PRIVATE-TOKEN: glpat-abcdefghij0123456789" https://gitlab.com/api/v4/projects)tb",
     R"tb(curl -H "PRIVATE-TOKEN: ‹gitlab-token›" https://gitlab.com/api/v4/projects)tb"},
    {R"tb(git clone https://oauth2:glpat-abcdefghij0123456789@gitlab.com/g/p.git)tb",
     R"tb(git clone https://oauth2:‹gitlab-token›@gitlab.com/g/p.git)tb"},
    // slack-token
    {R"tb(export SLACK_BOT_TOKEN=xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy)tb",
     R"tb(export SLACK_BOT_TOKEN=‹slack-token›)tb"},
    {R"tb(curl -F token=xoxp-4186250245-4186250247-4172356386-1a8fdf4c1b6c4b0b7e3c8a5d9f2e6b7c https://slack.com/api/files.upload)tb",
     R"tb(curl -F token=‹slack-token› https://slack.com/api/files.upload)tb"},
    {R"tb(export SLACK_APP_TOKEN=xapp-1-A0123456789-1234567890123-abcdef0123456789)tb",
     R"tb(export SLACK_APP_TOKEN=‹slack-token›)tb"},
    {R"tb(export SLACK_TOKEN=xoxp-1234567890-abcdefghij)tb",
     R"tb(export SLACK_TOKEN=‹slack-token›)tb"},
    {R"tb(curl -H "Authorization: Bearer xoxb-123456789012-abcdefghijkl" https://slack.com/api)tb",
     R"tb(curl -H "Authorization: Bearer ‹slack-token›" https://slack.com/api)tb"},
    {R"tb(curl -d token=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx https://slack.com/api/auth.test)tb",
     R"tb(curl -d token=‹slack-token› https://slack.com/api/auth.test)tb"},
    // slack-webhook
    {R"tb(curl -X POST -H 'Content-type: application/json' --data '{"text":"Hello"}' https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX)tb",
     R"tb(curl -X POST -H 'Content-type: application/json' --data '{"text":"Hello"}' https://hooks.slack.com/services/‹slack-webhook›)tb"},
    {R"tb(curl -d @payload.json https://hooks.slack.com/workflows/T01ABCDEF/A02BCDEFG/123456789012345678/aBcDeFgHiJkL)tb",
     R"tb(curl -d @payload.json https://hooks.slack.com/workflows/‹slack-webhook›)tb"},
    {R"tb(curl https://hooks.slack.com/workflows/T1/A2/3/abc)tb",
     R"tb(curl https://hooks.slack.com/workflows/‹slack-webhook›)tb"},
    {R"tb(curl -X POST -d '{"text":"hi"}' https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX)tb",
     R"tb(curl -X POST -d '{"text":"hi"}' https://hooks.slack.com/services/‹slack-webhook›)tb"},
    // stripe-key
    {R"tb(curl https://api.stripe.com/v1/charges -u sk_live_4eC39HqLyjWDarjtT1zdp7dc:)tb",
     R"tb(curl https://api.stripe.com/v1/charges -u ‹stripe-key›:)tb"},
    {R"tb(stripe listen --api-key rk_live_51H8abcdefghijklmnop1234)tb",
     R"tb(stripe listen --api-key ‹stripe-key›)tb"},
    {R"tb(export STRIPE_WEBHOOK_SECRET=whsec_abcdefghijklmnopqrstuvwx1234)tb",
     R"tb(export STRIPE_WEBHOOK_SECRET=‹stripe-key›)tb"},
    {R"tb(stripe listen --forward-to localhost:3000 --api-key rk_live_abcdefghijklmnop1234)tb",
     R"tb(stripe listen --forward-to localhost:3000 --api-key ‹stripe-key›)tb"},
    {R"tb(echo whsec_abcdefghijklmnopqrstuvwx1234)tb",
     R"tb(echo ‹stripe-key›)tb"},
    {R"tb(stripe login --api-key sk_live_51H8abcdefghijklmnopqrstuv)tb",
     R"tb(stripe login --api-key ‹stripe-key›)tb"},
    {R"tb(curl https://api.stripe.com/v1/charges -u sk_test_4eC39HqLyjWDarjtT1zdp7dc:)tb",
     R"tb(curl https://api.stripe.com/v1/charges -u ‹stripe-key›:)tb"},
    // npm-token
    {R"tb(echo "//registry.npmjs.org/:_authToken=npm_1234567890abcdefghijABCDEFGHIJ123456" >> ~/.npmrc)tb",
     R"tb(echo "//registry.npmjs.org/:_authToken=‹npm-token›" >> ~/.npmrc)tb"},
    {R"tb(NPM_TOKEN=npm_1234567890abcdefghijABCDEFGHIJ123456 npm publish)tb",
     R"tb(NPM_TOKEN=‹npm-token› npm publish)tb"},
    {R"tb(npm config set //registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789)tb",
     R"tb(npm config set //registry.npmjs.org/:_authToken=‹npm-token›)tb"},
    // pypi-token
    {R"tb(twine upload -u __token__ -p pypi-AgEIcHlwaS5vcmcCJDU3OTM0ZjM4LTNmNjEtNGE0Mi04NDJhLWZjNTM0NjMwYmU2MwACKlszLCJmOGY dist/*)tb",
     R"tb(twine upload -u __token__ -p ‹pypi-token› dist/*)tb"},
    {R"tb(poetry config pypi-token.testpypi pypi-AgENdGVzdC5weXBpLm9yZwIkYWJjZGVmZ2gtMTIzNC01Njc4LTkwYWItY2RlZjEyMzQ1Njc4)tb",
     R"tb(poetry config pypi-token.testpypi ‹pypi-token›)tb"},
    {R"tb(twine upload -u __token__ -p pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoLWlqa2wtbW5vcC1xcnN0LXV2d3h5ejAxMjM0NQ dist/*)tb",
     R"tb(twine upload -u __token__ -p ‹pypi-token› dist/*)tb"},
    // google-api-key
    {R"tb(curl "https://maps.googleapis.com/maps/api/geocode/json?address=Paris&key=AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe")tb",
     R"tb(curl "https://maps.googleapis.com/maps/api/geocode/json?address=Paris&key=‹google-api-key›")tb"},
    {R"tb(gcloud alpha services api-keys lookup AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe)tb",
     R"tb(gcloud alpha services api-keys lookup ‹google-api-key›)tb"},
    {R"tb(curl -H "x-goog-api-key: AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe" https://generativelanguage.googleapis.com/v1/models)tb",
     R"tb(curl -H "x-goog-api-key: ‹google-api-key›" https://generativelanguage.googleapis.com/v1/models)tb"},
    // openai-key
    {R"tb(export OPENAI_API_KEY=sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789)tb",
     R"tb(export OPENAI_API_KEY=‹openai-key›)tb"},
    {R"tb(openai api models.list -k sk-abcdefghij0123456789T3BlbkFJabcdefghij0123456789)tb",
     R"tb(openai api models.list -k ‹openai-key›)tb"},
    {R"tb(python -c "import openai; openai.api_key='sk-proj-abcdefghijklmnopqrstuvwxyz0123'")tb",
     R"tb(python -c "import openai; openai.api_key='‹openai-key›'")tb"},
    {R"tb(export OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz012345)tb",
     R"tb(export OPENAI_API_KEY=‹openai-key›)tb"},
    // anthropic-key
    {R"tb(export ANTHROPIC_API_KEY=sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz-0123456789_abc)tb",
     R"tb(export ANTHROPIC_API_KEY=‹anthropic-key›)tb"},
    {R"tb(export ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz)tb",
     R"tb(export ANTHROPIC_API_KEY=‹anthropic-key›)tb"},
    // huggingface-token
    {R"tb(huggingface-cli login --token hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567)tb",
     R"tb(huggingface-cli login --token ‹huggingface-token›)tb"},
    {R"tb(huggingface-cli login --token hf_abcdefghijklmnopqrstuvwxyzABCDEF)tb",
     R"tb(huggingface-cli login --token ‹huggingface-token›)tb"},
    // jwt
    {R"tb(echo eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c | jwt decode -)tb",
     R"tb(echo ‹jwt› | jwt decode -)tb"},
    {R"tb(curl -H "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl" https://api)tb",
     R"tb(curl -H "Authorization: Bearer ‹jwt›" https://api)tb"},
    {R"tb(kubectl --token=eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2ln get pods)tb",
     R"tb(kubectl --token=‹jwt› get pods)tb"},
    {R"tb(curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U' https://x)tb",
     R"tb(curl -H 'Authorization: Bearer ‹jwt›' https://x)tb"},
    // url-password
    {R"tb(git clone https://alice:s3cr3t-P4ss@git.example.com/team/repo.git)tb",
     R"tb(git clone https://alice:‹url-password›@git.example.com/team/repo.git)tb"},
    {R"tb(psql postgresql://app:hunter2@db.internal:5432/app?sslmode=require)tb",
     R"tb(psql postgresql://app:‹url-password›@db.internal:5432/app?sslmode=require)tb"},
    {R"tb(redis-cli -u redis://:p4ssw0rd@cache.internal:6379/0 ping)tb",
     R"tb(redis-cli -u redis://:‹url-password›@cache.internal:6379/0 ping)tb"},
    {R"tb(pip install --index-url https://__token__:abc123@pypi.example.com/simple pkg)tb",
     R"tb(pip install --index-url https://__token__:‹url-password›@pypi.example.com/simple pkg)tb"},
    {R"tb(mongosh "mongodb+srv://admin:Tr0ub4dor&3@cluster0.x.mongodb.net/test")tb",
     R"tb(mongosh "mongodb+srv://admin:‹url-password›@cluster0.x.mongodb.net/test")tb"},
    {R"tb(psql "postgresql://user:p%40ss@localhost/db")tb",
     R"tb(psql "postgresql://user:‹url-password›@localhost/db")tb"},
    {R"tb(redis-cli -u redis://:hunter2@cache:6379/0 ping)tb",
     R"tb(redis-cli -u redis://:‹url-password›@cache:6379/0 ping)tb"},
    {R"tb(mongodb+srv://admin:hunter2@cluster0.abc.mongodb.net/test)tb",
     R"tb(mongodb+srv://admin:‹url-password›@cluster0.abc.mongodb.net/test)tb"},
    {R"tb(psql postgres://admin:hunter2@db.example.com:5432/app)tb",
     R"tb(psql postgres://admin:‹url-password›@db.example.com:5432/app)tb"},
    {R"tb(https://user:pass@host/path)tb",
     R"tb(https://user:‹url-password›@host/path)tb"},
    // mysql-password
    {R"tb(mysql -u root -pS3cret! app)tb",
     R"tb(mysql -u root -p‹mysql-password› app)tb"},
    {R"tb(mysql -h db -uroot -p'my pass' -e 'select 1')tb",
     R"tb(mysql -h db -uroot -p'‹mysql-password›' -e 'select 1')tb"},
    {R"tb(mysqldump --single-transaction -u backup -p"b@ckup" app > app.sql)tb",
     R"tb(mysqldump --single-transaction -u backup -p"‹mysql-password›" app > app.sql)tb"},
    {R"tb(mysqladmin -u root -psecret status)tb",
     R"tb(mysqladmin -u root -p‹mysql-password› status)tb"},
    {R"tb(mariadb -u root -phunter2 shop)tb",
     R"tb(mariadb -u root -p‹mysql-password› shop)tb"},
    {R"tb(MYSQL_PWD=hunter2 mysql -u root shop)tb",
     R"tb(MYSQL_PWD=‹mysql-password› mysql -u root shop)tb"},
    {R"tb(docker exec -it db mysql -uroot -proot)tb",
     R"tb(docker exec -it db mysql -uroot -p‹mysql-password›)tb"},
    {R"tb(mysql -uroot -phunter2 -e 'show databases')tb",
     R"tb(mysql -uroot -p‹mysql-password› -e 'show databases')tb"},
    {R"tb(/usr/bin/mysqldump -u root -p"hun ter" --all-databases > all.sql)tb",
     R"tb(/usr/bin/mysqldump -u root -p"‹mysql-password›" --all-databases > all.sql)tb"},
    {R"tb(MYSQL_PWD=hunter2 mysql -u root)tb",
     R"tb(MYSQL_PWD=‹mysql-password› mysql -u root)tb"},
    {R"tb(mariadb -u root -phunter2)tb",
     R"tb(mariadb -u root -p‹mysql-password›)tb"},
    {R"tb(echo 'x' && mysql -psecret db; ls -p)tb",
     R"tb(echo 'x' && mysql -p‹mysql-password› db; ls -p)tb"},
    {R"tb(mysql -u root -psecret123 db)tb",
     R"tb(mysql -u root -p‹mysql-password› db)tb"},
    {R"tb(mysql -u root -p'se cret' db)tb",
     R"tb(mysql -u root -p'‹mysql-password›' db)tb"},
    // password-flag
    {R"tb(mysql -u root --password=hunter2 app)tb",
     R"tb(mysql -u root --password=‹password-flag› app)tb"},
    {R"tb(./manage.py --db-password hunter2 --verbose)tb",
     R"tb(./manage.py --db-password ‹password-flag› --verbose)tb"},
    {R"tb(wget --user=bob --password='s3cret pass' ftp://files.example.com/x)tb",
     R"tb(wget --user=bob --password='‹password-flag›' ftp://files.example.com/x)tb"},
    {R"tb(keytool -importkeystore -srckeystore a.p12 -srcstorepass changeit -deststorepass n3wpass)tb",
     R"tb(keytool -importkeystore -srckeystore a.p12 -srcstorepass ‹password-flag› -deststorepass ‹password-flag›)tb"},
    {R"tb(openssl pkcs12 -export -in cert.pem -inkey key.pem -passout pass:hunter2 -out cert.p12)tb",
     R"tb(openssl pkcs12 -export -in cert.pem -inkey key.pem -passout pass:‹password-flag› -out cert.p12)tb"},
    {R"tb(sshpass -p 'hunter2' ssh root@10.0.0.5)tb",
     R"tb(sshpass -p '‹password-flag›' ssh root@10.0.0.5)tb"},
    {R"tb(docker login -u bob -p hunter2 registry.example.com)tb",
     R"tb(docker login -u bob -p ‹password-flag› registry.example.com)tb"},
    {R"tb(redis-cli -h cache -a hunter2 --no-auth-warning ping)tb",
     R"tb(redis-cli -h cache -a ‹password-flag› --no-auth-warning ping)tb"},
    {R"tb(wget --password=hunter2 --user=bob ftp://x)tb",
     R"tb(wget --password=‹password-flag› --user=bob ftp://x)tb"},
    {R"tb(wget --ftp-password hunter2 ftp://x)tb",
     R"tb(wget --ftp-password ‹password-flag› ftp://x)tb"},
    {R"tb(some-tool --db-password="hunter 2" --db-user=x)tb",
     R"tb(some-tool --db-password="‹password-flag›" --db-user=x)tb"},
    {R"tb(podman login quay.io -u bob -p hunter2)tb",
     R"tb(podman login quay.io -u bob -p ‹password-flag›)tb"},
    {R"tb(docker login -u me --password s3cr3t registry.example.com)tb",
     R"tb(docker login -u me --password ‹password-flag› registry.example.com)tb"},
    {R"tb(redis-cli -h h -a s3cret ping)tb",
     R"tb(redis-cli -h h -a ‹password-flag› ping)tb"},
    {R"tb(sshpass -p 's3cret' ssh host)tb",
     R"tb(sshpass -p '‹password-flag›' ssh host)tb"},
    {R"tb(openssl enc -aes256 -pass pass:s3cret -in a -out b)tb",
     R"tb(openssl enc -aes256 -pass pass:‹password-flag› -in a -out b)tb"},
    {R"tb(keytool -importkeystore -srcstorepass s3cret -deststorepass other)tb",
     R"tb(keytool -importkeystore -srcstorepass ‹password-flag› -deststorepass ‹password-flag›)tb"},
    {R"tb(gh secret set API_KEY --body "abc123")tb",
     R"tb(gh secret set API_KEY --body "‹password-flag›")tb"},
    {R"tb(gh secret set X -b abc)tb",
     R"tb(gh secret set X -b ‹password-flag›)tb"},
    {R"tb(htpasswd -b .htpasswd alice hunter2)tb",
     R"tb(htpasswd -b .htpasswd alice ‹password-flag›)tb"},
    {R"tb(htpasswd -cb /etc/nginx/.htpasswd alice hunter2)tb",
     R"tb(htpasswd -cb /etc/nginx/.htpasswd alice ‹password-flag›)tb"},
    {R"tb(mongosh -u admin -p hunter2 --authenticationDatabase admin)tb",
     R"tb(mongosh -u admin -p ‹password-flag› --authenticationDatabase admin)tb"},
    {R"tb(ldapsearch -x -D cn=admin,dc=x -w hunter2 -b dc=x)tb",
     R"tb(ldapsearch -x -D cn=admin,dc=x -w ‹password-flag› -b dc=x)tb"},
    {R"tb(sqlcmd -S srv -U sa -P hunter2)tb",
     R"tb(sqlcmd -S srv -U sa -P ‹password-flag›)tb"},
    {R"tb(openssl enc -aes-256-cbc -k hunter2 -in a)tb",
     R"tb(openssl enc -aes-256-cbc -k ‹password-flag› -in a)tb"},
    {R"tb(zip -P hunter2 -r a.zip dir)tb",
     R"tb(zip -P ‹password-flag› -r a.zip dir)tb"},
    {R"tb(unzip -P hunter2 a.zip)tb",
     R"tb(unzip -P ‹password-flag› a.zip)tb"},
    {R"tb(7z a -phunter2 a.7z dir)tb",
     R"tb(7z a -p‹password-flag› a.7z dir)tb"},
    {R"tb(rar a -phunter2 a.rar d)tb",
     R"tb(rar a -p‹password-flag› a.rar d)tb"},
    // token-flag
    {R"tb(gitlab-runner register --url https://gitlab.com --token abc123)tb",
     R"tb(gitlab-runner register --url https://gitlab.com --token ‹token-flag›)tb"},
    {R"tb(kubectl --token=abc123 get pods)tb",
     R"tb(kubectl --token=‹token-flag› get pods)tb"},
    {R"tb(cf auth --client-secret s3cr3t)tb",
     R"tb(cf auth --client-secret ‹token-flag›)tb"},
    {R"tb(mytool --api_key=abc123 run)tb",
     R"tb(mytool --api_key=‹token-flag› run)tb"},
    {R"tb(openai --api-key "abc 123")tb",
     R"tb(openai --api-key "‹token-flag›")tb"},
    // basic-auth
    {R"tb(curl -u admin:hunter2 https://jenkins.example.com/api/json)tb",
     R"tb(curl -u admin:‹basic-auth› https://jenkins.example.com/api/json)tb"},
    {R"tb(curl --user 'deploy:p@ss word' https://x)tb",
     R"tb(curl --user 'deploy:‹basic-auth›' https://x)tb"},
    {R"tb(http -a bob:hunter2 https://httpbin.org/basic-auth/bob/hunter2)tb",
     R"tb(http -a bob:‹basic-auth› https://httpbin.org/basic-auth/bob/hunter2)tb"},
    {R"tb(curl -u 'bob:hunter2' https://x)tb",
     R"tb(curl -u 'bob:‹basic-auth›' https://x)tb"},
    {R"tb(curl -u admin:s3cret https://x)tb",
     R"tb(curl -u admin:‹basic-auth› https://x)tb"},
    {R"tb(smbclient //srv/share -U alice%hunter2)tb",
     R"tb(smbclient //srv/share -U alice%‹basic-auth›)tb"},
    {R"tb(smbclient -U "DOM\alice%hunter 2" //srv/s)tb",
     R"tb(smbclient -U "DOM\alice%‹basic-auth›" //srv/s)tb"},
    // bearer-token
    {R"tb(curl -H 'Authorization: Bearer abcdef' https://api.example.com)tb",
     R"tb(curl -H 'Authorization: Bearer ‹bearer-token›' https://api.example.com)tb"},
    {R"tb(curl -H "authorization: bearer 0123456789abcdef" https://api.example.com)tb",
     R"tb(curl -H "authorization: bearer ‹bearer-token›" https://api.example.com)tb"},
    {R"tb(curl --oauth2-bearer ya29.a0AfH6SMBx https://www.googleapis.com/drive/v3/files)tb",
     R"tb(curl --oauth2-bearer ‹bearer-token› https://www.googleapis.com/drive/v3/files)tb"},
    {R"tb(grpcurl -H "Bearer ya29.a0AfH6SMBxAbCdEfGhIj" api.example.com:443 list)tb",
     R"tb(grpcurl -H "Bearer ‹bearer-token›" api.example.com:443 list)tb"},
    {R"tb(http https://x Authorization:"Bearer abc")tb",
     R"tb(http https://x Authorization:"Bearer ‹bearer-token›")tb"},
    {R"tb(http https://x 'Authorization:Bearer abc')tb",
     R"tb(http https://x 'Authorization:Bearer ‹bearer-token›')tb"},
    {R"tb(curl --oauth2-bearer abcd1234 https://x)tb",
     R"tb(curl --oauth2-bearer ‹bearer-token› https://x)tb"},
    {R"tb(curl -H 'Authorization: Bearer abcdEFGHijkl' https://x)tb",
     R"tb(curl -H 'Authorization: Bearer ‹bearer-token›' https://x)tb"},
    // authorization
    {R"tb(curl -H 'Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l' https://x)tb",
     R"tb(curl -H 'Authorization: Basic ‹authorization›' https://x)tb"},
    {R"tb(curl -H "Proxy-Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l" https://x)tb",
     R"tb(curl -H "Proxy-Authorization: Basic ‹authorization›" https://x)tb"},
    {R"tb(curl -H "Authorization: Digest username=\"bob\", response=\"6629fae49393a05397450978507c4ef1\"" https://x)tb",
     R"tb(curl -H "Authorization: Digest ‹authorization›" https://x)tb"},
    {R"tb(http https://api.example.com Authorization:"ApiKey abc123")tb",
     R"tb(http https://api.example.com Authorization:"ApiKey ‹authorization›")tb"},
    {R"tb(curl --header "Authorization: Basic dXNlcjpwYXNz" https://x)tb",
     R"tb(curl --header "Authorization: Basic ‹authorization›" https://x)tb"},
    {R"tb(curl -H "Authorization: token abc123def" https://api.github.com/user)tb",
     R"tb(curl -H "Authorization: token ‹authorization›" https://api.github.com/user)tb"},
    // token-header
    {R"tb(curl -H "X-API-Key: 0123456789abcdef" https://api.example.com)tb",
     R"tb(curl -H "X-API-Key: ‹token-header›" https://api.example.com)tb"},
    {R"tb(curl -H 'apikey: sbp_0123456789abcdef' https://x.supabase.co/rest/v1/)tb",
     R"tb(curl -H 'apikey: ‹token-header›' https://x.supabase.co/rest/v1/)tb"},
    {R"tb(curl -H "X-Vault-Token: hvs.CAESIJ0123456789abcdef" https://vault:8200/v1/secret/data/x)tb",
     R"tb(curl -H "X-Vault-Token: ‹token-header›" https://vault:8200/v1/secret/data/x)tb"},
    {R"tb(curl -H "X-API-Key: abc123" https://x)tb",
     R"tb(curl -H "X-API-Key: ‹token-header›" https://x)tb"},
    {R"tb(curl -H 'apikey: abc123' -H "api-key: xyz" https://x)tb",
     R"tb(curl -H 'apikey: ‹token-header›' -H "api-key: ‹token-header›" https://x)tb"},
    {R"tb(curl -H "X-Vault-Token: hvs.CAESIabc" https://vault:8200/v1/secret)tb",
     R"tb(curl -H "X-Vault-Token: ‹token-header›" https://vault:8200/v1/secret)tb"},
    // secret-json
    {R"tb(curl -d '{"username":"bob","password":"hunter2"}' https://api.example.com/login)tb",
     R"tb(curl -d '{"username":"bob","password":"‹secret-json›"}' https://api.example.com/login)tb"},
    {R"tb(curl -d "{\"client_secret\":\"abc123\",\"grant_type\":\"client_credentials\"}" https://x/token)tb",
     R"tb(curl -d "{\"client_secret\":\"‹secret-json›\",\"grant_type\":\"client_credentials\"}" https://x/token)tb"},
    {R"tb(echo '{"api_key": "abc123", "debug": true}' > config.json)tb",
     R"tb(echo '{"api_key": "‹secret-json›", "debug": true}' > config.json)tb"},
    {R"tb(curl -d '{"user":"bob","password":"hunter2"}' https://x)tb",
     R"tb(curl -d '{"user":"bob","password":"‹secret-json›"}' https://x)tb"},
    // secret-env
    {R"tb(vault login -method=userpass username=bob password=hunter2)tb",
     R"tb(vault login -method=userpass username=bob password=‹secret-env›)tb"},
    {R"tb(export GITHUB_TOKEN=abc123)tb",
     R"tb(export GITHUB_TOKEN=‹secret-env›)tb"},
    {R"tb(export DB_PASSWORD='hunter 2')tb",
     R"tb(export DB_PASSWORD='‹secret-env›')tb"},
    {R"tb(DB_PASSWORD="hunter2" ./migrate.sh)tb",
     R"tb(DB_PASSWORD="‹secret-env›" ./migrate.sh)tb"},
    {R"tb(env API_KEY=abc123 SECRET_KEY=def456 ./run)tb",
     R"tb(env API_KEY=‹secret-env› SECRET_KEY=‹secret-env› ./run)tb"},
    {R"tb(set -gx OPENAI_TOKEN abc123)tb",
     R"tb(set -gx OPENAI_TOKEN ‹secret-env›)tb"},
    {R"tb(setenv MY_SECRET abc123)tb",
     R"tb(setenv MY_SECRET ‹secret-env›)tb"},
    {R"tb(docker run -e POSTGRES_PASSWORD=hunter2 -d postgres)tb",
     R"tb(docker run -e POSTGRES_PASSWORD=‹secret-env› -d postgres)tb"},
    {R"tb(docker build --build-arg NPM_TOKEN=abc123 .)tb",
     R"tb(docker build --build-arg NPM_TOKEN=‹secret-env› .)tb"},
    {R"tb(kubectl create secret generic app --from-literal=api-key=abc123 --from-literal=user=bob)tb",
     R"tb(kubectl create secret generic app --from-literal=api-key=‹secret-env› --from-literal=user=bob)tb"},
    {R"tb(helm upgrade api ./chart --set db.password=hunter2)tb",
     R"tb(helm upgrade api ./chart --set db.password=‹secret-env›)tb"},
    {R"tb(curl "https://api.example.com/data?access_token=abc123&page=2")tb",
     R"tb(curl "https://api.example.com/data?access_token=‹secret-env›&page=2")tb"},
    {R"tb(export clientSecret=abc123)tb",
     R"tb(export clientSecret=‹secret-env›)tb"},
    {R"tb(env API_KEY=abc SECRET=def ./x)tb",
     R"tb(env API_KEY=‹secret-env› SECRET=‹secret-env› ./x)tb"},
    {R"tb(docker run -e DB_PASSWORD=hunter2 -e API_TOKEN="two words" img)tb",
     R"tb(docker run -e DB_PASSWORD=‹secret-env› -e API_TOKEN="‹secret-env›" img)tb"},
    {R"tb(kubectl create secret generic db --from-literal=password=hunter2 --from-literal=username=admin)tb",
     R"tb(kubectl create secret generic db --from-literal=password=‹secret-env› --from-literal=username=admin)tb"},
    {R"tb(helm install x ./c --set auth.password=hunter2)tb",
     R"tb(helm install x ./c --set auth.password=‹secret-env›)tb"},
    {R"tb(curl "https://api.example.com/v1?api_key=abc123&format=json")tb",
     R"tb(curl "https://api.example.com/v1?api_key=‹secret-env›&format=json")tb"},
    {R"tb(setenv GITHUB_TOKEN abc123)tb",
     R"tb(setenv GITHUB_TOKEN ‹secret-env›)tb"},
    {R"tb(export accessToken=abc clientSecret=def)tb",
     R"tb(export accessToken=‹secret-env› clientSecret=‹secret-env›)tb"},
    {R"tb(export GITHUB_TOKEN='$literal')tb",
     R"tb(export GITHUB_TOKEN='‹secret-env›')tb"},
    {R"tb(DB_PASSWORD=hunter2 ./run.sh)tb",
     R"tb(DB_PASSWORD=‹secret-env› ./run.sh)tb"},
    {R"tb(set -gx GITHUB_TOKEN abc123)tb",
     R"tb(set -gx GITHUB_TOKEN ‹secret-env›)tb"},
    {R"tb(java -Dspring.datasource.password=hunter2 -jar app.jar)tb",
     R"tb(java -Dspring.datasource.password=‹secret-env› -jar app.jar)tb"},
    {R"tb(mvn -Ddb.password=x test)tb",
     R"tb(mvn -Ddb.password=‹secret-env› test)tb"},
    {R"tb(terraform apply -var 'db_password=hunter 2')tb",
     R"tb(terraform apply -var 'db_password=‹secret-env›')tb"},
    {R"tb(docker run -e "API_KEY=two words" img)tb",
     R"tb(docker run -e "API_KEY=‹secret-env›" img)tb"},
    {R"tb(terraform apply -var="api_token=abc")tb",
     R"tb(terraform apply -var="api_token=‹secret-env›")tb"},
};

// Ordinary commands that look a bit like secrets (hashes, UUIDs, base64 file
// names, flags named -p, words like token/secret/password, URLs, variables)
// and must be recorded exactly as typed.
const char* const kOrdinary[] = {
    R"tb(git checkout 3f786850e387550fdab836ed7e6dc881de23001b)tb",
    R"tb(git show 3f78685)tb",
    R"tb(git cherry-pick a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0)tb",
    R"tb(git log --oneline -n 20)tb",
    R"tb(git log --format='%H %an %s' --since='2 weeks ago')tb",
    R"tb(git rebase -i HEAD~3)tb",
    R"tb(git push -u origin feature/JIRA-1234-add-token-refresh)tb",
    R"tb(git commit -m "Fix token refresh race")tb",
    R"tb(git commit -m "Rotate secrets weekly (see runbook)")tb",
    R"tb(git commit -am "password reset flow: validate email first")tb",
    R"tb(git diff HEAD~1 -- src/auth/token.go)tb",
    R"tb(git clone git@github.com:torvalds/linux.git)tb",
    R"tb(git clone https://github.com/rust-lang/rust.git)tb",
    R"tb(git remote add upstream https://gitlab.com/group/project.git)tb",
    R"tb(git stash push -m "wip: secret manager refactor")tb",
    R"tb(git bisect start HEAD v1.2.3)tb",
    R"tb(git tag -a v2.0.0 -m "Release 2.0.0")tb",
    R"tb(docker run --rm -it -v "$PWD":/src -w /src golang:1.22 go build ./...)tb",
    R"tb(docker run -d -p 8080:80 -e NGINX_HOST=example.com nginx:1.25-alpine)tb",
    R"tb(docker run -e POSTGRES_PASSWORD_FILE=/run/secrets/pg -d postgres:16)tb",
    R"tb(docker build -t registry.example.com/team/app:3f78685 --build-arg VERSION=1.4.2 .)tb",
    R"tb(docker exec -it 4f9d1c2e7b3a /bin/sh)tb",
    R"tb(docker login -u ci --password-stdin registry.example.com)tb",
    R"tb(docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}')tb",
    R"tb(docker compose -f docker-compose.prod.yml up -d --remove-orphans)tb",
    R"tb(docker inspect --format '{{json .Config.Env}}' web)tb",
    R"tb(docker pull ubuntu@sha256:2e863c44b718727c860746568e1d54afd13b2fa71b160f5cd9058fc436217b30)tb",
    R"tb(kubectl get pods -n kube-system -o wide --sort-by=.metadata.creationTimestamp)tb",
    R"tb(kubectl logs -f deploy/api -c api --since=10m --tail=200)tb",
    R"tb(kubectl apply -f k8s/overlays/production/ --server-side --force-conflicts)tb",
    R"tb(kubectl describe secret db-credentials -n prod)tb",
    R"tb(kubectl get secret db-credentials -o jsonpath='{.data.password}' | base64 -d)tb",
    R"tb(kubectl create secret generic app-secrets --from-file=./secrets.env)tb",
    R"tb(kubectl port-forward svc/grafana 3000:80 -n monitoring)tb",
    R"tb(kubectl exec -it api-7d9f8b6c5-x2k4j -- /bin/bash)tb",
    R"tb(kubectl rollout restart deployment/api -n staging)tb",
    R"tb(kubectl config use-context gke_my-project-123456_europe-west1-b_prod-cluster)tb",
    R"tb(kubectl get events --field-selector involvedObject.name=api-7d9f8b6c5-x2k4j)tb",
    R"tb(gcloud compute instances create vm-1 --zone=us-central1-a --machine-type=e2-medium --image-family=debian-12 --image-project=debian-cloud)tb",
    R"tb(gcloud container clusters get-credentials prod-cluster --region europe-west1 --project my-project-123456)tb",
    R"tb(gcloud auth application-default login)tb",
    R"tb(gcloud secrets versions access latest --secret=db-password)tb",
    R"tb(gcloud iam service-accounts keys create key.json --iam-account=sa@my-project.iam.gserviceaccount.com)tb",
    R"tb(gcloud run deploy api --image gcr.io/my-project/api:3f78685 --region us-central1 --allow-unauthenticated)tb",
    R"tb(aws s3 cp s3://my-bucket/backups/2024-01-01.tar.gz . --region eu-west-1)tb",
    R"tb(aws ec2 describe-instances --filters "Name=tag:Name,Values=web-*" --query 'Reservations[].Instances[].InstanceId')tb",
    R"tb(aws sts assume-role --role-arn arn:aws:iam::123456789012:role/Admin --role-session-name me)tb",
    R"tb(aws secretsmanager get-secret-value --secret-id prod/db/password)tb",
    R"tb(aws logs tail /aws/lambda/my-function --follow --since 1h)tb",
    R"tb(aws configure --profile staging)tb",
    R"tb(aws ssm get-parameter --name /app/prod/api-token --with-decryption)tb",
    R"tb(terraform plan -var-file=envs/prod.tfvars -out=plan.bin)tb",
    R"tb(terraform apply -auto-approve plan.bin)tb",
    R"tb(ansible-playbook -i inventory/prod site.yml --ask-vault-pass)tb",
    R"tb(ansible-vault edit group_vars/all/vault.yml)tb",
    R"tb(helm upgrade --install api ./charts/api -n prod -f values.prod.yaml --set image.tag=3f78685)tb",
    R"tb(ssh user@host)tb",
    R"tb(ssh -i ~/.ssh/id_ed25519 -p 2222 deploy@10.0.0.5)tb",
    R"tb(ssh -L 5432:localhost:5432 bastion.example.com)tb",
    R"tb(scp -P 2222 build.tar.gz deploy@host:/srv/releases/)tb",
    R"tb(rsync -avz --delete ./dist/ deploy@host:/var/www/app/)tb",
    R"tb(ssh-keygen -t ed25519 -C "me@example.com" -f ~/.ssh/id_ed25519)tb",
    R"tb(ssh-add ~/.ssh/id_ed25519)tb",
    R"tb(curl -sSL https://get.docker.com | sh)tb",
    R"tb(curl -fsSL https://example.com/install.sh -o install.sh)tb",
    R"tb(curl -X POST -H 'Content-Type: application/json' -d '{"name":"test","count":3}' https://api.example.com/v1/items)tb",
    R"tb(curl -I https://example.com:8443/health)tb",
    R"tb(curl -u alice https://example.com/private)tb",
    R"tb(curl --user-agent "Mozilla/5.0" https://example.com)tb",
    R"tb(wget -qO- https://example.com/file.txt)tb",
    R"tb(wget --continue https://cdn.example.com/ubuntu-24.04-desktop-amd64.iso)tb",
    R"tb(http GET https://api.example.com/users page==2)tb",
    R"tb(open https://github.com/org/repo/pull/1234)tb",
    R"tb(xdg-open http://localhost:3000/?q=token)tb",
    R"tb(mysql -h db.example.com -u root -p)tb",
    R"tb(mysql -u root -p mydb)tb",
    R"tb(mysql -u app -P 3306 -h 127.0.0.1 app_db)tb",
    R"tb(mysql --defaults-extra-file=~/.my.cnf -e 'show databases')tb",
    R"tb(mysqldump -u root -p --single-transaction app > app.sql)tb",
    R"tb(psql -h localhost -U postgres -d app -c 'select count(*) from users')tb",
    R"tb(pg_dump -Fc -d app -f app.dump)tb",
    R"tb(redis-cli -h cache.internal -p 6379 info memory)tb",
    R"tb(grep -p pattern file.txt)tb",
    R"tb(grep -rn "password" src/)tb",
    R"tb(grep -rni 'api_key' config/)tb",
    R"tb(rg -n "TOKEN" --type go)tb",
    R"tb(tar -xzpf backup.tar.gz -C /restore)tb",
    R"tb(tar -czvf logs-2024-01-01.tar.gz /var/log/app)tb",
    R"tb(cp -p src.txt dst.txt)tb",
    R"tb(mkdir -p ~/projects/foo/bar)tb",
    R"tb(ps -p 1234 -o pid,cmd)tb",
    R"tb(netstat -tulpn)tb",
    R"tb(unzip -P "" archive.zip)tb",
    R"tb(export PATH=$HOME/.local/bin:$PATH)tb",
    R"tb(export EDITOR=nvim)tb",
    R"tb(export GOPATH=$HOME/go)tb",
    R"tb(export KUBECONFIG=~/.kube/config:~/.kube/staging)tb",
    R"tb(export GITHUB_TOKEN=$(gh auth token))tb",
    R"tb(export NPM_TOKEN="${NPM_TOKEN}")tb",
    R"tb(export VAULT_TOKEN=$(vault print token))tb",
    R"tb(export PASSWORD_STORE_DIR=~/.password-store)tb",
    R"tb(TOKEN_FILE=~/.config/token ./deploy.sh)tb",
    R"tb(GOOGLE_APPLICATION_CREDENTIALS=~/keys/sa.json gcloud auth list)tb",
    R"tb(MAX_TOKENS=4096 python generate.py)tb",
    R"tb(python train.py --max_tokens 2048 tokenizer=bpe)tb",
    R"tb(HF_HOME=/data/hf python -c 'import transformers')tb",
    R"tb(LANG=C sort -u names.txt)tb",
    R"tb(RUST_LOG=debug cargo run --release)tb",
    R"tb(CC=clang CXX=clang++ cmake -S . -B build -G Ninja)tb",
    R"tb(env | grep -i token)tb",
    R"tb(printenv GITHUB_TOKEN)tb",
    R"tb(echo $AWS_SECRET_ACCESS_KEY)tb",
    R"tb(unset GITHUB_TOKEN)tb",
    R"tb(read -s PASSWORD)tb",
    R"tb(pass show email/work)tb",
    R"tb(pass insert -m servers/db)tb",
    R"tb(vault kv get secret/prod/db)tb",
    R"tb(gpg --decrypt secrets.env.gpg > /dev/null)tb",
    R"tb(openssl rand -hex 32)tb",
    R"tb(openssl req -new -newkey rsa:4096 -nodes -keyout server.key -out server.csr)tb",
    R"tb(openssl x509 -in cert.pem -noout -text)tb",
    R"tb(openssl enc -aes-256-cbc -pass env:ENC_PASS -in a -out b)tb",
    R"tb(base64 -d <<< aGVsbG8gd29ybGQ=)tb",
    R"tb(sha256sum ubuntu-24.04-desktop-amd64.iso)tb",
    R"tb(md5sum d41d8cd98f00b204e9800998ecf8427e.bin)tb",
    R"tb(cat 550e8400-e29b-41d4-a716-446655440000.json)tb",
    R"tb(uuidgen)tb",
    R"tb(ls -la /tmp/f47ac10b-58cc-4372-a567-0e02b2c3d479/)tb",
    R"tb(cd /var/lib/docker/overlay2/4f2c3b1a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0/merged)tb",
    R"tb(cp dGhpcyBpcyBhIGZpbGUgbmFtZQ==.png ~/Pictures/)tb",
    R"tb(mv aGVsbG8td29ybGQtdGhpcy1pcy1sb25n.txt archive/)tb",
    R"tb(ls ~/Downloads/SGVsbG9Xb3JsZEZyb21CYXNlNjRFbmNvZGVkTmFtZQ.bin)tb",
    R"tb(vim ~/.config/nvim/lua/plugins/telescope.lua)tb",
    R"tb(nvim src/auth/token_refresh.rs)tb",
    R"tb(code ~/projects/secret-santa)tb",
    R"tb(cat ~/.aws/credentials)tb",
    R"tb(less /var/log/auth.log)tb",
    R"tb(tail -f /var/log/nginx/access.log | grep -v healthz)tb",
    R"tb(journalctl -u docker.service --since "1 hour ago")tb",
    R"tb(systemctl restart nginx)tb",
    R"tb(sudo apt-get install -y build-essential libssl-dev)tb",
    R"tb(sudo dnf install python3-devel)tb",
    R"tb(brew install --cask visual-studio-code)tb",
    R"tb(npm install --save-dev typescript@5.4.5 @types/node)tb",
    R"tb(npm ci --prefer-offline)tb",
    R"tb(npm run build -- --mode production)tb",
    R"tb(npx create-react-app my-app --template typescript)tb",
    R"tb(yarn add lodash@^4.17.21)tb",
    R"tb(pnpm install --frozen-lockfile)tb",
    R"tb(pip install -r requirements.txt)tb",
    R"tb(pip install 'torch==2.3.0' --index-url https://download.pytorch.org/whl/cu121)tb",
    R"tb(pip install --extra-index-url https://pypi.example.com/simple internal-pkg)tb",
    R"tb(python -m venv .venv && source .venv/bin/activate)tb",
    R"tb(python manage.py createsuperuser --username admin)tb",
    R"tb(poetry add requests --group dev)tb",
    R"tb(cargo build --release --target x86_64-unknown-linux-musl)tb",
    R"tb(cargo add tokio --features full)tb",
    R"tb(go test ./... -run TestToken -count=1)tb",
    R"tb(go get github.com/golang-jwt/jwt/v5@v5.2.1)tb",
    R"tb(go mod tidy)tb",
    R"tb(make -j8 CFLAGS="-O2 -g")tb",
    R"tb(cmake --build build --target tb_tests -j 2)tb",
    R"tb(./build/tb_tests --gtest_filter='Secret*:Config*')tb",
    R"tb(ninja -C build -t compdb > compile_commands.json)tb",
    R"tb(g++ -std=c++20 -Wall -Wextra -O2 main.cc -o main)tb",
    R"tb(clang-format -i src/*.cc)tb",
    R"tb(find . -name '*.pyc' -delete)tb",
    R"tb(find / -xdev -type f -size +100M -printf '%s %p\n' 2>/dev/null | sort -n)tb",
    R"tb(xargs -n1 -P4 curl -sO < urls.txt)tb",
    R"tb(awk -F: '{print $1}' /etc/passwd)tb",
    R"tb(sed -i 's/password_min_length = 8/password_min_length = 12/' config.ini)tb",
    R"tb(jq '.items[] | {name: .metadata.name, token: .spec.tokenRef}' pods.json)tb",
    R"tb(jq -r '.access_token' response.json)tb",
    R"tb(yq e '.spec.template.spec.containers[0].image' deploy.yaml)tb",
    R"tb(htop)tb",
    R"tb(tmux new -s work)tb",
    R"tb(tmux attach -t work)tb",
    R"tb(history | grep ssh)tb",
    R"tb(for f in *.log; do gzip "$f"; done)tb",
    R"tb(while true; do date; sleep 5; done)tb",
    R"tb(ffmpeg -i input.mp4 -c:v libx264 -crf 23 -preset slow output.mp4)tb",
    R"tb(convert image.png -resize 50% image-small.png)tb",
    R"tb(du -sh ~/.cache/* | sort -h)tb",
    R"tb(df -h /)tb",
    R"tb(free -m)tb",
    R"tb(top -o %MEM)tb",
    R"tb(lsof -i :8080)tb",
    R"tb(kill -9 12345)tb",
    R"tb(ping -c 3 8.8.8.8)tb",
    R"tb(dig +short example.com TXT)tb",
    R"tb(nslookup api.example.com)tb",
    R"tb(traceroute 1.1.1.1)tb",
    R"tb(ip addr show dev eth0)tb",
    R"tb(iptables -L -n -v)tb",
    R"tb(nmap -sV -p 1-1000 192.168.1.0/24)tb",
    R"tb(chmod 600 ~/.ssh/id_ed25519)tb",
    R"tb(chown -R www-data:www-data /var/www)tb",
    R"tb(ln -s /opt/app/current /srv/app)tb",
    R"tb(crontab -e)tb",
    R"tb(at now + 5 minutes)tb",
    R"tb(nc -zv db.internal 5432)tb",
    R"tb(sqlite3 ~/.local/share/atuin/history.db 'select count(*) from history')tb",
    R"tb(atuin search --limit 5 docker)tb",
    R"tb(tb search "git push")tb",
    R"tb(tb history --failed -n 20)tb",
    R"tb(echo "the token is in the vault")tb",
    R"tb(echo "Bearer tokens expire after 1h")tb",
    R"tb(echo 'Authorization header is required')tb",
    R"tb(printf '%s\n' "password: see 1password")tb",
    R"tb(man 5 passwd)tb",
    R"tb(passwd)tb",
    R"tb(sudo passwd alice)tb",
    R"tb(htpasswd -c /etc/nginx/.htpasswd alice)tb",
    R"tb(ssh-copy-id -i ~/.ssh/id_rsa.pub user@host)tb",
    R"tb(git config --global user.email "me@example.com")tb",
    R"tb(git config --global credential.helper store)tb",
    R"tb(gh pr create --title "Add token rotation" --body "Rotates API tokens")tb",
    R"tb(gh secret set API_KEY < key.txt)tb",
    R"tb(gh api repos/org/repo/actions/secrets)tb",
    R"tb(az login --use-device-code)tb",
    R"tb(az keyvault secret show --vault-name kv-prod --name db-password)tb",
    R"tb(op read op://Personal/GitHub/token)tb",
    R"tb(bw get password github.com)tb",
    R"tb(cat /proc/sys/kernel/random/uuid)tb",
    R"tb(echo eyJhbGciOiJIUzI1NiJ9 | base64 -d)tb",
    R"tb(echo sk-this-is-not-a-key)tb",
    R"tb(ls node_modules/.bin/tsc)tb",
    R"tb(curl http://[::1]:8080/metrics)tb",
    R"tb(curl "https://api.example.com/search?q=password+reset&page=2")tb",
    R"tb(curl https://example.com/@user/post)tb",
    R"tb(git clone ssh://git@gitlab.example.com:2222/group/repo.git)tb",
    R"tb(mongo "mongodb://db1.example.com:27017,db2.example.com:27017/app?replicaSet=rs0")tb",
    R"tb(psql "postgresql://localhost/app?sslmode=require")tb",
    R"tb(redis-cli -u redis://cache.internal:6379/0 ping)tb",
    R"tb(docker run -u 1000:1000 alpine id)tb",
    R"tb(python -c 'print("a:b@c")')tb",
    R"tb(java -jar app.jar --spring.profiles.active=prod --server.port=8081)tb",
    R"tb(java -Djavax.net.ssl.trustStore=truststore.jks -jar app.jar)tb",
    R"tb(keytool -list -keystore truststore.jks)tb",
    R"tb(openssl s_client -connect example.com:443 -servername example.com)tb",
    R"tb(echo AKIA is the prefix of access keys)tb",
    R"tb(aws iam list-access-keys --user-name AKIAUSER)tb",
    R"tb(mongosh -u admin -p)tb",
    R"tb(mongo --host x -p)tb",
    R"tb(7z x a.7z -o/tmp)tb",
    R"tb(zip -r a.zip dir)tb",
    R"tb(ldapsearch -x -W -b dc=x)tb",
    R"tb(htpasswd -c .htpasswd alice)tb",
    R"tb(gh secret list)tb",
    R"tb(smbclient -L //srv -U alice)tb",
    R"tb(java -Dfile.encoding=UTF-8 -jar app.jar)tb",
    R"tb(docker run -e "LOG_LEVEL=debug" img)tb",
    R"tb(docker build --secret id=npmrc,src=/root/.npmrc .)tb",
    R"tb(llm --max-tokens 100 "hello")tb",
    R"tb(tool --token-file ~/.t)tb",
    R"tb(tool --tokenizer bpe)tb",
    R"tb(tool --no-token --verbose)tb",
    R"tb(tool --token "$T")tb",
    R"tb(gh auth login --with-token < t.txt)tb",
    R"tb(tool --skip-token-check x)tb",
};

std::unique_ptr<SecretMasker> MakeMasker(const Config& cfg = Config{}) {
  std::unique_ptr<SecretMasker> m;
  Status s = SecretMasker::Create(cfg, &m);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return m;
}

std::string Masked(const SecretMasker& m, std::string text, size_t* count = nullptr) {
  size_t n = m.Mask(&text);
  if (count != nullptr) *count = n;
  return text;
}

TEST(SecretMaskerTest, TruePositives) {
  auto m = MakeMasker();
  for (const Case& c : kTruePositives) {
    size_t n = 0;
    EXPECT_EQ(Masked(*m, c.in, &n), c.out) << c.in;
    EXPECT_GE(n, 1u) << c.in;
  }
}

TEST(SecretMaskerTest, EveryBuiltinRuleHasTruePositives) {
  for (const SecretRuleInfo& rule : BuiltinSecretRules()) {
    std::string marker = SecretMarker(rule.name);
    size_t cases = std::count_if(std::begin(kTruePositives), std::end(kTruePositives),
                                 [&](const Case& c) {
                                   return std::string(c.out).find(marker) != std::string::npos;
                                 });
    EXPECT_GE(cases, 2u) << rule.name;
    EXPECT_FALSE(rule.matches.empty()) << rule.name;
  }
  EXPECT_GE(BuiltinSecretRules().size(), 20u);
}

TEST(SecretMaskerTest, OrdinaryCommandsStayByteForByte) {
  auto m = MakeMasker();
  EXPECT_GE(std::size(kOrdinary), 150u);
  for (const char* cmd : kOrdinary) {
    size_t n = 7;
    EXPECT_EQ(Masked(*m, cmd, &n), cmd);
    EXPECT_EQ(n, 0u) << cmd;
  }
}

TEST(SecretMaskerTest, MaskingTwiceChangesNothing) {
  // A masked command re-run from history (or masked again by a later pass)
  // keeps its markers: a marker is never taken for a secret value.
  auto m = MakeMasker();
  for (const Case& c : kTruePositives) {
    size_t n = 7;
    EXPECT_EQ(Masked(*m, c.out, &n), c.out);
    EXPECT_EQ(n, 0u) << c.out;
  }
}

TEST(SecretMaskerTest, MarkerFormat) {
  EXPECT_EQ(SecretMarker("aws-access-key"), "\u2039aws-access-key\u203a");
  EXPECT_EQ(SecretMarker("x"), "\xE2\x80\xB9x\xE2\x80\xBA");
}

TEST(SecretMaskerTest, ShellExpansionsAreNotSecrets) {
  auto m = MakeMasker();
  for (const char* cmd : {
           "export GITHUB_TOKEN=$(gh auth token)",
           "export GITHUB_TOKEN=\"$(gh auth token)\"",
           "export NPM_TOKEN=\"${NPM_TOKEN}\"",
           "curl -H \"Authorization: Bearer $TOKEN\" https://x",
           "curl -H \"Authorization: Bearer ${TOKEN}\" https://x",
           "mysql -u root -p$MYSQL_PASS db",
           "docker login -u bob --password \"$REGISTRY_PASSWORD\" r.example.com",
           "git clone https://x:$GL_TOKEN@gitlab.com/g/p.git",
           "set -gx GITHUB_TOKEN (gh auth token)",
           "curl -u admin:$ADMIN_PASS https://x",
       }) {
    EXPECT_EQ(Masked(*m, cmd), cmd);
  }
  // Inside single quotes nothing expands: '$...' is the literal secret.
  EXPECT_EQ(Masked(*m, "export GITHUB_TOKEN='$ecret1'"), "export GITHUB_TOKEN='\u2039secret-env\u203a'");
  EXPECT_EQ(Masked(*m, "mysql -p'$ecret' db"), "mysql -p'\u2039mysql-password\u203a' db");
}

TEST(SecretMaskerTest, EmptyValuesAreLeftAlone) {
  auto m = MakeMasker();
  for (const char* cmd : {"export TOKEN=", "export TOKEN=\"\"", "curl -u user: https://x",
                          "echo password=", "curl -H 'Authorization: ' x", "mysql -p"}) {
    EXPECT_EQ(Masked(*m, cmd), cmd);
  }
}

TEST(SecretMaskerTest, SecretNamesMustEndAWord) {
  // Decision: NAME=value is a secret when a keyword (TOKEN, SECRET,
  // PASSWORD, PASSWD, API_KEY) ends a word of NAME; names of where a secret
  // is kept (*_FILE, *_PATH, *_DIR, *_NAME) hold no secret.
  auto m = MakeMasker();
  for (const char* cmd : {"TOKEN_FILE=~/.token ./deploy.sh", "SECRET_PATH=/run/secrets ./x",
                          "GH_TOKEN_DIR=/tmp/t ./x", "SECRET_NAME=db-creds kubectl apply -f x",
                          "MAX_TOKENS=4096 python app.py", "tokenizer=bpe python train.py",
                          "PASSWORDLESS=1 ./login", "export PASSWORD_STORE_DIR=~/.pass"}) {
    EXPECT_EQ(Masked(*m, cmd), cmd);
  }
  const std::string kSecretEnv = "\u2039secret-env\u203a";
  EXPECT_EQ(Masked(*m, "accessToken=abc ./x"), "accessToken=" + kSecretEnv + " ./x");
  EXPECT_EQ(Masked(*m, "SECRETKEY=abc ./x"), "SECRETKEY=" + kSecretEnv + " ./x");
  EXPECT_EQ(Masked(*m, "export TOKEN_V2=abc"), "export TOKEN_V2=" + kSecretEnv);
  EXPECT_EQ(Masked(*m, "export db.password=abc"), "export db.password=" + kSecretEnv);
  // The suffixes must be words of their own.
  EXPECT_EQ(Masked(*m, "tokenFile=x.txt ./a"), "tokenFile=x.txt ./a");
  EXPECT_EQ(Masked(*m, "SECRET_PROFILE=abc ./x"), "SECRET_PROFILE=" + kSecretEnv + " ./x");
}

TEST(SecretMaskerTest, DashPIsAPasswordOnlyForMysqlTools) {
  auto m = MakeMasker();
  for (const char* cmd : {"psql -p5432 -h db app", "ssh -p2222 host", "grep -pfoo x",
                          "tar -xzpf a.tgz", "mysql -u root -p", "mysql -h db -u root -p app",
                          "mysql --port=3306 -u root app", "mysql -P3306 app",
                          "echo mysql; ls -pa", "mysqlrouter -pfoo"}) {
    EXPECT_EQ(Masked(*m, cmd), cmd);
  }
  EXPECT_EQ(Masked(*m, "mysql -P3306 -uroot -pS3cret app; ls -p"),
            "mysql -P3306 -uroot -p\u2039mysql-password\u203a app; ls -p");
}

TEST(SecretMaskerTest, OverlappingSpansBecomeOneMarker) {
  auto m = MakeMasker();
  // Same span: the rule that comes first names it.
  size_t n = 0;
  EXPECT_EQ(Masked(*m, "export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789", &n),
            "export GITHUB_TOKEN=\u2039github-token\u203a");
  EXPECT_EQ(n, 1u);
  // One span inside another: the longer one names it.
  EXPECT_EQ(Masked(*m, "DB_PASSWORD=postgres://u:hunter2@h/db ./x", &n),
            "DB_PASSWORD=\u2039secret-env\u203a ./x");
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(Masked(*m,
                   "curl -H \"Authorization: Digest username=x, "
                   "opaque=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc\" https://x"),
            "curl -H \"Authorization: Digest \u2039authorization\u203a\" https://x");
}

TEST(SecretMaskerTest, CountsEveryMarker) {
  auto m = MakeMasker();
  size_t n = 0;
  std::string out = Masked(*m,
                           "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE "
                           "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY "
                           "GITHUB_TOKEN=x ./deploy --password hunter2",
                           &n);
  EXPECT_EQ(out,
            "AWS_ACCESS_KEY_ID=\u2039aws-access-key\u203a "
            "AWS_SECRET_ACCESS_KEY=\u2039aws-secret-key\u203a "
            "GITHUB_TOKEN=\u2039secret-env\u203a ./deploy --password \u2039password-flag\u203a");
  EXPECT_EQ(n, 4u);
}

TEST(SecretMaskerTest, MultiLinePrivateKey) {
  auto m = MakeMasker();
  EXPECT_EQ(Masked(*m,
                   "cat > id <<'EOF'\n-----BEGIN OPENSSH PRIVATE KEY-----\n"
                   "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
                   "QyNTUxOQAAACDpQ5gVAAAAAA==\n-----END OPENSSH PRIVATE KEY-----\nEOF"),
            "cat > id <<'EOF'\n-----BEGIN OPENSSH PRIVATE KEY-----\u2039private-key\u203a"
            "-----END OPENSSH PRIVATE KEY-----\nEOF");
  // Without its END line (cut, or pasted in part) the rest is masked.
  EXPECT_EQ(Masked(*m, "echo '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn"),
            "echo '-----BEGIN RSA PRIVATE KEY-----\u2039private-key\u203a");
  // The header alone is not a key.
  const char* grep = "grep -rl -- '-----BEGIN RSA PRIVATE KEY-----' ~/src";
  EXPECT_EQ(Masked(*m, grep), grep);
}

TEST(SecretMaskerTest, InvalidUtf8IsMatchedAsBytesAndKept) {
  auto m = MakeMasker();
  // Invalid bytes before, inside and after secrets: matching goes on, the
  // bytes that are not part of a secret are kept exactly.
  EXPECT_EQ(Masked(*m, "echo \xff\xfe; export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 \xc3"),
            "echo \xff\xfe; export GITHUB_TOKEN=\u2039github-token\u203a \xc3");
  EXPECT_EQ(Masked(*m, "mysql -p\xffp\xe9ss\x80 db\xc0"), "mysql -p\u2039mysql-password\u203a db\xc0");
  EXPECT_EQ(Masked(*m, "caf\xe9 https://u:p\xe4ss@h\xf6st/"),
            "caf\xe9 https://u:\u2039url-password\u203a@h\xf6st/");
  // Truncated UTF-8 sequence right before a key.
  EXPECT_EQ(Masked(*m, "\xe2\x80 AKIAIOSFODNN7EXAMPLE"), "\xe2\x80 \u2039aws-access-key\u203a");
  // Nothing to mask: untouched.
  const std::string junk = "ls \xff\xfe\xfd /tmp/\xc3\x28 \xed\xa0\x80";
  EXPECT_EQ(Masked(*m, junk), junk);
}

TEST(SecretMaskerTest, NulBytesAreOrdinaryBytes) {
  auto m = MakeMasker();
  std::string in("a\0b DB_PASSWORD=x\0y ./z", 23);
  std::string out = Masked(*m, in);
  EXPECT_EQ(out, std::string("a\0b DB_PASSWORD=", 16) + "\u2039secret-env\u203a ./z");
}

TEST(SecretMaskerTest, LongCommandSecretAtTheEnd) {
  auto m = MakeMasker();
  std::string in;
  for (int i = 0; i < 100000; ++i) in += "echo 3f786850e387550fdab836ed7e6dc881de23001b; ";
  std::string tail = "curl -H 'Authorization: Bearer abcdefgh12345678' x";
  size_t n = 0;
  std::string out = Masked(*m, in + tail, &n);
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(out, in + "curl -H 'Authorization: Bearer \u2039bearer-token\u203a' x");
}

TEST(SecretMaskerTest, EmptyText) {
  auto m = MakeMasker();
  std::string empty;
  EXPECT_EQ(m->Mask(&empty), 0u);
  EXPECT_EQ(empty, "");
}

// --- config: disable and extra ---------------------------------------------------

TEST(SecretMaskerConfigTest, DisabledRulesDoNotMask) {
  Config cfg;
  cfg.secrets.disable = {"jwt", "mysql-password"};
  auto m = MakeMasker(cfg);
  const char* jwt = "echo eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N | jwt";
  EXPECT_EQ(Masked(*m, jwt), jwt);
  EXPECT_EQ(Masked(*m, "mysql -u root -psecret db"), "mysql -u root -psecret db");
  // Other rules still apply, including to what the disabled rule used to name.
  EXPECT_EQ(Masked(*m, "curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln' x"),
            "curl -H 'Authorization: Bearer \u2039bearer-token\u203a' x");
  std::vector<std::string> names = m->RuleNames();
  EXPECT_EQ(std::count(names.begin(), names.end(), "jwt"), 0);
  EXPECT_EQ(names.size(), BuiltinSecretRules().size() - 2);
}

TEST(SecretMaskerConfigTest, EverythingDisabledMasksNothing) {
  Config cfg;
  for (const SecretRuleInfo& r : BuiltinSecretRules()) cfg.secrets.disable.emplace_back(r.name);
  auto m = MakeMasker(cfg);
  EXPECT_TRUE(m->RuleNames().empty());
  for (const Case& c : kTruePositives) EXPECT_EQ(Masked(*m, c.in), c.in);
}

TEST(SecretMaskerConfigTest, ExtraRules) {
  Config cfg;
  cfg.secrets.extra = {
      "corp-token=CORP-[0-9A-F]{8}",         // no group: the whole match
      "door-pin=(?i)pin[: ]([0-9]{4,8})\\b",  // a group: only the group
      "two-ways=alpha=(\\w+)|beta=(\\w+)",     // first group that took part
  };
  auto m = MakeMasker(cfg);
  EXPECT_EQ(Masked(*m, "deploy --key CORP-0A1B2C3D now"), "deploy --key \u2039corp-token\u203a now");
  EXPECT_EQ(Masked(*m, "unlock PIN:123456 door"), "unlock PIN:\u2039door-pin\u203a door");
  EXPECT_EQ(Masked(*m, "x beta=abc alpha=def"),
            "x beta=\u2039two-ways\u203a alpha=\u2039two-ways\u203a");
  // Extra rules come first: on the same span, they name the marker.
  EXPECT_EQ(Masked(*m, "export CORP_TOKEN=CORP-0A1B2C3D"),
            "export CORP_TOKEN=\u2039corp-token\u203a");
  std::vector<std::string> names = m->RuleNames();
  ASSERT_EQ(names.size(), BuiltinSecretRules().size() + 3);
  EXPECT_EQ(names[0], "corp-token");
  EXPECT_EQ(names[2], "two-ways");
  EXPECT_EQ(names[3], BuiltinSecretRules()[0].name);
  // Built-in rules are unaffected.
  for (const Case& c : kTruePositives) EXPECT_EQ(Masked(*m, c.in), c.out) << c.in;
}

TEST(SecretMaskerConfigTest, ExtraRulesMatchBytes) {
  // Latin-1 mode: '.' is one byte, so it matches an invalid byte and each
  // byte of a multi-byte character; UTF-8 literals match as their bytes.
  Config cfg;
  cfg.secrets.extra = {"one-byte=key:(.)!", "literal=clé-[0-9]+"};
  auto m = MakeMasker(cfg);
  EXPECT_EQ(Masked(*m, "key:\xff! key:\xc3\xa9!"), "key:\u2039one-byte\u203a! key:\xc3\xa9!");
  EXPECT_EQ(Masked(*m, "use clé-42 now"), "use \u2039literal\u203a now");
}

TEST(SecretMaskerConfigTest, HandBuiltInvalidConfigIsRefused) {
  std::unique_ptr<SecretMasker> m;
  Config cfg;
  cfg.secrets.disable = {"nope"};
  Status s = SecretMasker::Create(cfg, &m);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message().rfind("unknown secret rule 'nope' in secrets.disable. Known rules: "
                              "private-key, aws-access-key, ",
                              0),
            0u)
      << s.message();
  EXPECT_EQ(m, nullptr);

  cfg = Config{};
  cfg.secrets.extra = {"bad=("};
  s = SecretMasker::Create(cfg, &m);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid secret rule in secrets.extra: \"bad=(\" has an invalid RE2 "
                         "pattern: missing ): (. Fix secrets.extra");
  EXPECT_EQ(m, nullptr);
}

TEST(SecretMaskerConfigTest, ItemChecks) {
  EXPECT_EQ(SecretRuleNameProblem("jwt"), "");
  EXPECT_NE(SecretRuleNameProblem("JWT"), "");
  EXPECT_EQ(ExtraSecretRuleProblem("a=b"), "");
  EXPECT_EQ(ExtraSecretRuleProblem("corp-2=x=y"), "");
  EXPECT_NE(ExtraSecretRuleProblem(std::string(65, 'a') + "=x"), "");
  EXPECT_EQ(ExtraSecretRuleProblem(std::string(64, 'a') + "=x"), "");
}

// --- concurrency -------------------------------------------------------------------

TEST(SecretMaskerTest, ConcurrentMaskingOnAFreshMasker) {
  // Rules are compiled on first use (call_once): many threads hitting the
  // same fresh masker must all see complete rules.
  auto m = MakeMasker();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < std::size(kTruePositives); ++i) {
          const Case& c = kTruePositives[(i + static_cast<size_t>(t) * 37) % std::size(kTruePositives)];
          if (Masked(*m, c.in) != c.out) ++failures[static_cast<size_t>(t)];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace tb
