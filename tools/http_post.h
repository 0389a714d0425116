// HTTP POST of a JSON body (cpp-httplib, Debian's libcpp-httplib-dev, built
// with OpenSSL): what `tb telemetry send` posts its document with
// (tools/cmd_telemetry.cc), and any later exporter that sends JSON out.
//
// The URL is http://HOST[:PORT][/PATH] or https://HOST[:PORT][/PATH]
// (PATH defaults to "/"); an https server's certificate is verified against
// the system's CA certificates. One request, no retry, no redirect.
// Thread safety: reentrant (each call has its own client).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tb {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// POSTs `body` as application/json to `url` with the extra `headers`,
// waiting at most `timeout_ms` to connect and as long for each read and
// write. OK for a 2xx answer. Errors, one line each, naming the URL:
//  - InvalidArgument: the URL is not an http:// or https:// URL with a host;
//  - IOError: the request could not be made or got no answer (connection
//    refused, name not resolved, timeout, TLS failure: cpp-httplib's reason),
//    or the answer was not 2xx ("... answered HTTP 500").
// *http_status (may be null) is the answer's status, 0 when there was none.
Status PostJson(const std::string& url, const std::string& body, const HttpHeaders& headers, int timeout_ms,
                int* http_status);

}  // namespace tb
