#include "tools/http_post.h"

#include <httplib.h>

#include <chrono>

namespace tb {
namespace {

// Splits "http://host:port/path" into "http://host:port" and "/path".
bool SplitUrl(const std::string& url, std::string* origin, std::string* path) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return false;
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return false;
  const size_t host = scheme_end + 3;
  const size_t slash = url.find('/', host);
  *origin = url.substr(0, slash);
  *path = slash == std::string::npos ? "/" : url.substr(slash);
  const std::string authority = origin->substr(host);
  return !authority.empty() && authority.front() != ':' && authority.find_first_of(" \t@?#") == std::string::npos;
}

// Why a request got no answer, in words.
std::string Reason(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection: return "cannot connect";
    case httplib::Error::ConnectionTimeout: return "timed out connecting";
    case httplib::Error::Read: return "no answer (the read failed or timed out)";
    case httplib::Error::Write: return "the request could not be written";
    case httplib::Error::SSLConnection: return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts: return "cannot load the system's CA certificates";
    case httplib::Error::SSLServerVerification: return "the server's TLS certificate did not verify";
    default: return httplib::to_string(e);
  }
}

}  // namespace

Status PostJson(const std::string& url, const std::string& body, const HttpHeaders& headers, int timeout_ms,
                int* http_status) {
  if (http_status != nullptr) *http_status = 0;
  std::string origin, path;
  if (!SplitUrl(url, &origin, &path)) {
    return Status::InvalidArgument("'" + url + "' is not an http:// or https:// URL with a host");
  }
  httplib::Client client(origin);
  if (!client.is_valid()) return Status::InvalidArgument("'" + url + "' is not a URL cpp-httplib can reach");
  const auto timeout = std::chrono::milliseconds(timeout_ms);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  httplib::Headers h;
  for (const auto& [name, value] : headers) h.emplace(name, value);
  httplib::Result res = client.Post(path, h, body, "application/json");
  if (!res) {
    return Status::IOError(url + ": " + Reason(res.error()));
  }
  if (http_status != nullptr) *http_status = res->status;
  if (res->status < 200 || res->status > 299) {
    return Status::IOError(url + " answered HTTP " + std::to_string(res->status));
  }
  return Status::OK();
}

}  // namespace tb
