#include "detect/config.h"

#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "detect/config_defaults.h"  // kDefaultConfigText, generated from config/detect.toml

namespace trawl::detect {

namespace {

toml::table parse(std::string_view text, std::string_view source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw std::runtime_error(fmt::format("{}:{}:{}: {}", source, where.line, where.column, e.description()));
  }
}

// Lays `over` onto `base`; every key of `over` must exist in `base` with the same type.
void overlay(toml::table& base, const toml::table& over, std::string_view source, const std::string& prefix) {
  for (const auto& [key, value] : over) {
    std::string path = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    toml::node* target = base.get(key.str());
    if (!target)
      throw std::runtime_error(fmt::format("{}:{}: unknown setting '{}'", source, key.source().begin.line, path));
    if (target->type() != value.type() && !(target->is_number() && value.is_number()))
      throw std::runtime_error(fmt::format("{}:{}: '{}' must be a {}", source, key.source().begin.line, path,
                                           toml::impl::node_type_friendly_names[size_t(target->type())]));
    if (value.is_table()) {
      overlay(*target->as_table(), *value.as_table(), source, path);
    } else if (target->is_floating_point() && value.is_integer()) {
      *target->as_floating_point() = double(value.as_integer()->get());
    } else {
      base.insert_or_assign(key.str(), value);
    }
  }
}

}  // namespace

Config Config::defaults() {
  Config c;
  c.table_ = parse(kDefaultConfigText, "config/detect.toml");
  return c;
}

Config Config::from_text(std::string_view toml_text, std::string_view source_name) {
  Config c = defaults();
  overlay(c.table_, parse(toml_text, source_name), source_name, "");
  return c;
}

Config Config::load(const std::string& path) {
  Config c = defaults();
  toml::table user;
  try {
    user = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw std::runtime_error(fmt::format("{}:{}:{}: {}", path, where.line, where.column, e.description()));
  }
  overlay(c.table_, user, path, "");
  return c;
}

const toml::node& Config::at(std::string_view path) const {
  const toml::node* n = table_.at_path(path).node();
  if (!n) throw std::logic_error(fmt::format("setting '{}' has no default in config/detect.toml", path));
  return *n;
}

double Config::number(std::string_view path) const {
  const toml::node& n = at(path);
  if (auto v = n.value<double>()) return *v;
  throw std::logic_error(fmt::format("setting '{}' is not a number", path));
}

int64_t Config::integer(std::string_view path) const {
  const toml::node& n = at(path);
  if (auto v = n.value<int64_t>()) return *v;
  throw std::logic_error(fmt::format("setting '{}' is not an integer", path));
}

bool Config::flag(std::string_view path) const {
  const toml::node& n = at(path);
  if (auto v = n.value<bool>()) return *v;
  throw std::logic_error(fmt::format("setting '{}' is not a boolean", path));
}

std::string Config::string(std::string_view path) const {
  const toml::node& n = at(path);
  if (auto v = n.value<std::string>()) return *v;
  throw std::logic_error(fmt::format("setting '{}' is not a string", path));
}

std::vector<std::string> Config::strings(std::string_view path) const {
  const toml::array* a = at(path).as_array();
  if (!a) throw std::logic_error(fmt::format("setting '{}' is not a list", path));
  std::vector<std::string> out;
  for (const auto& e : *a)
    if (auto s = e.value<std::string>()) out.push_back(*s);
  return out;
}

void Config::set_strings(std::string_view path, const std::vector<std::string>& values) {
  toml::array* a = const_cast<toml::node&>(at(path)).as_array();
  if (!a) throw std::logic_error(fmt::format("setting '{}' is not a list", path));
  a->clear();
  for (const auto& v : values) a->push_back(v);
}

void Config::set_string(std::string_view path, const std::string& value) {
  toml::node& n = const_cast<toml::node&>(at(path));
  if (!n.is_string()) throw std::logic_error(fmt::format("setting '{}' is not a string", path));
  *n.as_string() = value;
}

std::string Config::default_section_text(std::string_view section) {
  std::istringstream in{std::string(kDefaultConfigText)};
  std::string line, out;
  const std::string header = fmt::format("[{}]", section);
  bool inside = false;
  std::string comments;  // the comment block right above a header belongs to it
  while (std::getline(in, line)) {
    bool is_header = !line.empty() && line[0] == '[';
    if (is_header) {
      if (inside) break;
      inside = line.rfind(header, 0) == 0;
      if (inside) out = comments;
    }
    if (inside) out += line + "\n";
    if (line.rfind("#", 0) == 0) comments += line + "\n";
    else comments.clear();
  }
  return out;
}

HomeNet::HomeNet(const std::vector<std::string>& cidrs) {
  for (const auto& text : cidrs) {
    std::string_view s = text;
    size_t slash = s.find('/');
    auto base = IpAddress::parse(s.substr(0, slash));
    if (!base) throw std::runtime_error(fmt::format("bad network '{}' in home_net", text));
    int max = base->is_v4() ? 32 : 128, prefix = max;
    if (slash != std::string_view::npos) {
      prefix = -1;
      try {
        size_t used = 0;
        prefix = std::stoi(std::string(s.substr(slash + 1)), &used);
        if (used != s.size() - slash - 1) prefix = -1;
      } catch (const std::exception&) {
      }
      if (prefix < 0 || prefix > max) throw std::runtime_error(fmt::format("bad prefix length in '{}'", text));
    }
    IpAddress mask;
    for (int bit = 0; bit < prefix; ++bit) mask.bytes[size_t(bit / 8)] |= uint8_t(0x80 >> (bit % 8));
    nets_.push_back({{base->word(0) & mask.word(0), base->word(1) & mask.word(1)}, {mask.word(0), mask.word(1)},
                     base->family});
  }
}

bool HomeNet::contains(const IpAddress& a) const {
  const uint64_t w0 = a.word(0), w1 = a.word(1);
  for (const Net& n : nets_)
    if (n.family == a.family && (w0 & n.mask[0]) == n.base[0] && (w1 & n.mask[1]) == n.base[1]) return true;
  return false;
}

bool HomeNet::contains(std::string_view address_text) const {
  auto a = IpAddress::parse(address_text);
  return a && contains(*a);
}

}  // namespace trawl::detect
