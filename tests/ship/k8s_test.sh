#!/usr/bin/env bash
# deploy/k8s: yamllint (deploy/k8s/.yamllint), `kubectl kustomize`, then the
# schema and reference check of tests/ship/k8s_check.py on the rendered
# objects; then the check must catch three broken variants, each by name.
# Usage: k8s_test.sh SOURCE_DIR WORK_DIR   (label ship)
set -euo pipefail
src=$1
work=$2
here=$(dirname "$0")
source "$here/lib.sh"
command -v yamllint >/dev/null || ship_fail "yamllint is missing: scripts/deps.sh --ship installs it"
command -v kubectl >/dev/null || ship_fail "kubectl is missing: scripts/deps.sh --ship installs kubernetes-client"
mkdir -p "$work"
out=$(yamllint -s -f parsable -c "$src/deploy/k8s/.yamllint" "$src/deploy/k8s" 2>&1) || true
ship_expect_eq "yamllint deploy/k8s" "$out" ""
kubectl kustomize "$src/deploy/k8s" >"$work/rendered.yaml" || ship_fail "kubectl kustomize deploy/k8s"
ship_expect_eq "k8s_check.py" "$(python3 "$here/k8s_check.py" "$work/rendered.yaml")" "ok: 10 objects"

# Broken variants: each must be reported, exactly.
expect_broken() {
  local what=$1 sed_expr=$2 want=$3 got
  sed "$sed_expr" "$work/rendered.yaml" >"$work/broken.yaml"
  cmp -s "$work/rendered.yaml" "$work/broken.yaml" && ship_fail "the variant '$what' changed nothing"
  got=$(python3 "$here/k8s_check.py" "$work/broken.yaml") && ship_fail "k8s_check.py accepted $what"
  ship_expect_eq "k8s_check.py on $what" "$got" "$want"
}
expect_broken "two replicas" 's/^  replicas: 3$/  replicas: 2/' \
  "StatefulSet/nats: spec.replicas: 3 was expected"
expect_broken "a route missing" '/nats:\/\/nats-2.nats-headless:6222/d' \
  "nats.conf: routes [('nats-0.nats-headless', '6222'), ('nats-1.nats-headless', '6222')], expected [('nats-0.nats-headless', '6222'), ('nats-1.nats-headless', '6222'), ('nats-2.nats-headless', '6222')]"
expect_broken "no limits on the export" '/^ *name: export$/,/^ *limits:$/{s/limits:$/limitz:/}' \
  "$(printf '%s\n%s' "CronJob/termbrain-verify-export: spec.jobTemplate.spec.template.spec.containers.0.resources: 'limits' is a required property" \
                      "Job/termbrain-verify-export: spec.template.spec.containers.0.resources: 'limits' is a required property")"
echo "ok: deploy/k8s passes yamllint and the schema check; the three broken variants are caught"
