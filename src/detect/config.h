// Config: every detector threshold, with its documented default in config/detect.toml (compiled in). A user's
// --config file is laid over the defaults: it may only set keys the defaults have, with the same type, so a
// typo is an error instead of a silently ignored setting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "util/ip_address.h"

namespace trawl::detect {

class Config {
 public:
  static Config defaults();
  // The defaults with the TOML file at `path` laid over them; throws std::runtime_error naming the file,
  // line and key on a parse error, an unknown key or a wrong type.
  static Config load(const std::string& path);
  // The same from TOML text (tests).
  static Config from_text(std::string_view toml_text, std::string_view source_name = "config");

  // Values by dotted path, e.g. number("scan.min_ports"). A path the defaults lack is a programming
  // error: std::logic_error.
  double number(std::string_view path) const;
  int64_t integer(std::string_view path) const;
  bool flag(std::string_view path) const;
  std::string string(std::string_view path) const;
  std::vector<std::string> strings(std::string_view path) const;

  // Sets a value from the command line (e.g. --home-net), replacing the default.
  void set_strings(std::string_view path, const std::vector<std::string>& values);
  void set_string(std::string_view path, const std::string& value);  // e.g. --ioc FILE sets ioc.file

  // The defaults file's text for one [section], comments included: what `trawl detect --explain` prints.
  static std::string default_section_text(std::string_view section);

 private:
  const toml::node& at(std::string_view path) const;
  toml::table table_;
};

// Which addresses are ours: the CIDR list of general.home_net (by default the private, loopback,
// link-local and unique-local ranges).
class HomeNet {
 public:
  explicit HomeNet(const std::vector<std::string>& cidrs);  // throws std::runtime_error on a bad CIDR
  bool contains(const IpAddress& a) const;
  bool contains(std::string_view address_text) const;  // false for text that is not an address

 private:
  // A network as its address and mask in IpAddress::word() form: a test is two masked compares (detectors
  // ask for every connection's both ends).
  struct Net {
    uint64_t base[2], mask[2];
    uint8_t family;
  };
  std::vector<Net> nets_;
};

}  // namespace trawl::detect
