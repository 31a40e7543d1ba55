#include "tools/serctl/output_format.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "tools/serctl/text_table.h"

namespace serctl {

namespace {

using Align = TextTable::Align;

std::string str(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return escape_terminal(it->get<std::string>());
  if (it->is_number()) return format_number(it->get<double>());
  if (it->is_boolean()) return it->get<bool>() ? "yes" : "no";
  return escape_terminal(it->dump());
}

double num(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

// `j` when it is an array, else an empty one: the loops below accept any answer's shape.
const Json& array_or_empty(const Json& j) {
  static const Json kEmpty = Json::array();
  return j.is_array() ? j : kEmpty;
}

std::string or_dash(std::string s) {
  return s.empty() ? "-" : s;
}

std::string joined(const Json& list, const char* sep) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (!out.empty()) out += sep;
    out += escape_terminal(item.is_string() ? item.get<std::string>() : item.dump());
  }
  return out;
}

}  // namespace

std::string escape_terminal(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string format_number(double value) {
  char buf[64];
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15)
    std::snprintf(buf, sizeof(buf), "%.0f", value);
  else
    std::snprintf(buf, sizeof(buf), "%g", value);
  return buf;
}

std::string format_date(int64_t unix_time) {
  if (unix_time == 0) return "-";
  time_t t = static_cast<time_t>(unix_time);
  tm utc{};
  gmtime_r(&t, &utc);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &utc);
  return buf;
}

std::string format_age(double seconds) {
  long s = seconds < 0 ? 0 : static_cast<long>(seconds);
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof(buf), "%lds", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof(buf), "%ldm%02lds", s / 60, s % 60);
  else if (s < 86400)
    std::snprintf(buf, sizeof(buf), "%ldh%02ldm", s / 3600, s % 3600 / 60);
  else
    std::snprintf(buf, sizeof(buf), "%ldd%02ldh", s / 86400, s % 86400 / 3600);
  return buf;
}

std::string format_tls_list(const Json& connections, int64_t now) {
  if (!connections.is_array() || connections.empty()) return "no TLS connections\n";
  TextTable t({{"ID", Align::kRight},
               {"LOCAL"},
               {"PEER"},
               {"DIR"},
               {"DOMAIN"},
               {"SNI"},
               {"VERSION"},
               {"CIPHER"},
               {"PEER SUBJECT"},
               {"PEER NOT AFTER"},
               {"VERIFIED"},
               {"AGE", Align::kRight},
               {"IN", Align::kRight},
               {"OUT", Align::kRight}});
  for (const auto& c : connections) {
    int64_t not_after = static_cast<int64_t>(num(c, "peer_not_after"));
    std::string verified = c.value("peer_verified", false) ? "yes" : "no";
    if (not_after != 0 && not_after < now) verified += " (expired)";
    t.add({str(c, "id"), str(c, "local"), str(c, "peer"), c.value("outbound", false) ? "out" : "in",
           or_dash(str(c, "domain")), or_dash(str(c, "sni")), or_dash(str(c, "version")),
           or_dash(str(c, "cipher")), or_dash(str(c, "peer_subject")), format_date(not_after),
           verified, format_age(num(c, "age")), str(c, "bytes_in"), str(c, "bytes_out")});
  }
  return t.render();
}

std::string format_tls_info(const Json& domains, int64_t now) {
  if (!domains.is_array() || domains.empty()) return "no TLS domains (TLS is not in use)\n";
  TextTable t({{"DOMAIN"},
               {"KIND"},
               {"SUBJECT"},
               {"SANS"},
               {"NOT AFTER"},
               {"DAYS LEFT", Align::kRight},
               {"VERIFY PEER"},
               {"EXPIRY"}});
  for (const auto& d : domains) {
    int64_t not_after = static_cast<int64_t>(num(d, "not_after"));
    std::string days = "-";
    if (not_after != 0) days = format_number(std::floor(num(d, "days_left")));
    std::string expiry = str(d, "expiry");
    if (expiry.empty()) expiry = not_after == 0 ? "-" : not_after < now ? "EXPIRED" : "ok";
    t.add({str(d, "name"), str(d, "kind"), or_dash(str(d, "subject")),
           or_dash(joined(d.value("sans", Json::array()), ",")), format_date(not_after), days,
           d.value("verify_peer", false) ? "yes" : "no", expiry});
  }
  return t.render();
}

std::string format_ps(const Json& workers, const Json& connections) {
  TextTable w({{"WORKER", Align::kRight},
               {"CONNECTIONS", Align::kRight},
               {"POOL IN USE", Align::kRight},
               {"POOL PEAK", Align::kRight},
               {"POOL BUDGET", Align::kRight}});
  for (const auto& x : array_or_empty(workers)) {
    // A worker busy or stuck past the server's wait: its connections are unknown.
    bool answered = x.value("answered", true);
    w.add({str(x, "index"), answered ? str(x, "connections") : "no answer", str(x, "pool_in_use"),
           str(x, "pool_peak"), str(x, "pool_budget")});
  }
  std::string out = w.render();
  if (!connections.is_array() || connections.empty()) return out + "\nno TCP or TLS connections\n";
  TextTable c({{"ID", Align::kRight},
               {"WORKER", Align::kRight},
               {"TRANSPORT"},
               {"STATE"},
               {"DIR"},
               {"LOCAL"},
               {"PEER"},
               {"AGE", Align::kRight},
               {"IN", Align::kRight},
               {"OUT", Align::kRight}});
  for (const auto& x : connections)
    c.add({str(x, "id"), str(x, "worker"), str(x, "transport"), str(x, "state"),
           x.value("outbound", false) ? "out" : "in", str(x, "local"), str(x, "peer"),
           format_age(num(x, "age")), str(x, "bytes_in"), str(x, "bytes_out")});
  return out + "\n" + c.render();
}

std::string format_stats(const Json& metrics) {
  TextTable t({{"NAME"}, {"VALUE", Align::kRight}});
  for (const auto& m : array_or_empty(metrics)) {
    std::string name = str(m, "name");
    std::string labels;
    Json label_set = m.value("labels", Json::object());
    for (const auto& [k, v] : label_set.items())
      labels += (labels.empty() ? "" : ",") + k + "=\"" +
                escape_terminal(v.is_string() ? v.get<std::string>() : v.dump()) + "\"";
    t.add({labels.empty() ? name : name + "{" + labels + "}", format_number(num(m, "value"))});
  }
  return t.render();
}

std::string format_cfg(const Json& parameters) {
  TextTable t({{"PARAMETER"}, {"VALUE"}});
  auto row = [&t](const std::string& name, const Json& value) {
    t.add({escape_terminal(name),
           escape_terminal(value.is_string() ? value.get<std::string>() : value.dump())});
  };
  for (const auto& [name, value] : parameters.items()) {
    if (!value.is_array()) row(name, value);
    for (const auto& each : value.is_array() ? value : Json::array()) row(name, each);  // listen
  }
  return t.render();
}

std::string format_mem(const Json& memory) {
  TextTable t({{"POOL"},
               {"WORKER", Align::kRight},
               {"IN USE", Align::kRight},
               {"PEAK", Align::kRight},
               {"BUDGET", Align::kRight},
               {"ALLOCATIONS", Align::kRight},
               {"FAILURES", Align::kRight}});
  const Json none = Json::object();
  const Json& m = memory.is_object() ? memory : none;  // any answer's shape is printed
  Json pools = m.value("pools", Json::array());
  for (const auto& p : array_or_empty(pools)) {
    std::string budget = num(p, "budget") == 0 ? "unlimited" : str(p, "budget");
    t.add({str(p, "name"), or_dash(str(p, "worker")), str(p, "in_use"), str(p, "peak"), budget,
           str(p, "allocations"), str(p, "failures")});
  }
  Json guard = m.value("guard", Json::object());
  if (!guard.is_object()) guard = Json::object();
  TextTable f({{"FIGURE"}, {"VALUE", Align::kRight}});
  f.add({"openssl in shm (bytes)", str(m, "openssl_in_use")});
  f.add({"libevent in shm (bytes)", str(m, "libevent_in_use")});
  f.add({"tls connections", str(m, "tls_connections")});
  f.add({"shm per tls connection (bytes, average)", str(m, "avg_tls_connection_bytes")});
  if (num(guard, "high_water") == 0) {
    f.add({"guard", "off (shm has no budget)"});
  } else {
    f.add({"guard high water (bytes)", str(guard, "high_water")});
    f.add({"guard low water (bytes)", str(guard, "low_water")});
    f.add({"guard refusing", guard.value("refusing", false) ? "YES" : "no"});
  }
  f.add({"refused connections", str(guard, "refused_connections")});
  f.add({"refused outbound connections", str(guard, "refused_handshakes")});
  f.add({"allocation drops", str(m, "allocation_drops")});
  return t.render() + "\n" + f.render();
}

std::string format_reload(const Json& r) {
  std::string out;
  bool ok = r.value("ok", false);
  if (ok) {
    out = "reload ok: generation " + str(r, "generation") + " in service";
    std::string changed = joined(r.value("changed", Json::array()), ", ");
    out += "; changed: " + (changed.empty() ? std::string("nothing") : changed) + "\n";
  } else {
    out = "reload failed: nothing was changed (generation " + str(r, "generation") +
          " stays in service)\n";
  }
  std::string diags = r.value("diagnostics", "");
  for (size_t pos = 0; pos < diags.size();) {
    size_t nl = diags.find('\n', pos);
    if (nl == std::string::npos) nl = diags.size();
    if (nl > pos) out += escape_terminal(diags.substr(pos, nl - pos)) + "\n";
    pos = nl + 1;
  }
  for (const auto& p : r.value("restart_required", Json::array()))
    out += "needs a restart to take effect: " +
           escape_terminal(p.is_string() ? p.get<std::string>() : p.dump()) + "\n";
  return out;
}

std::string format_error(const Json& error) {
  return "error " + str(error, "code") + ": " + str(error, "message") + "\n";
}

}  // namespace serctl
