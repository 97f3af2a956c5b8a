#include "webhook/common/http_message.h"

#include "webhook/common/logging.h"

namespace migwarden {

HttpResponse HttpResponse::error(int status, std::string_view reason, std::string_view message) {
  std::string body = "{\"error\":{\"code\":" + std::to_string(status) + ",\"reason\":\"" + jsonEscape(reason) +
                     "\",\"message\":\"" + jsonEscape(message) + "\"}}";
  return json(status, std::move(body));
}

}  // namespace migwarden
