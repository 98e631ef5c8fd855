#include "keras/io/npy.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "keras/core/error.hpp"

namespace keras::io {

namespace {

constexpr uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
// numpy itself refuses headers over 10,000 bytes by default; allow generous room above that.
constexpr uint64_t kMaxHeaderLen = 65535;
constexpr uint64_t kMaxPrefix = 12 + kMaxHeaderLen;

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw IOError("npy data '" + name + "': " + what);
}

// dtype string -> (variant index, item size). Only little-endian and byte types.
struct DtypeInfo {
  size_t index;
  uint64_t itemsize;
  std::string_view numpy_name;
};

DtypeInfo dtype_info(const std::string& descr, const std::string& name) {
  if (descr == "|u1" || descr == "<u1") return {0, 1, "uint8"};
  if (descr == "<i4") return {1, 4, "int32"};
  if (descr == "<i8") return {2, 8, "int64"};
  if (descr == "<f4") return {3, 4, "float32"};
  if (descr == "<f8") return {4, 8, "float64"};
  if (!descr.empty() && descr[0] == '>')
    fail(name, "big-endian dtype '" + descr +
                   "' is not supported; save it as little-endian (a.astype('<" + descr.substr(1) +
                   "'))");
  fail(name,
       "unsupported dtype '" + descr + "' (supported: uint8, int32, int64, float32, float64)");
}

template <class T>
constexpr std::string_view descr_of() {
  if constexpr (std::is_same_v<T, uint8_t>) return "|u1";
  if constexpr (std::is_same_v<T, int32_t>) return "<i4";
  if constexpr (std::is_same_v<T, int64_t>) return "<i8";
  if constexpr (std::is_same_v<T, float>) return "<f4";
  if constexpr (std::is_same_v<T, double>) return "<f8";
}

// Strict parser for the Python dict literal numpy writes, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), }
class DictParser {
 public:
  DictParser(std::string_view text, const std::string& name) : s_(text), name_(name) {}

  NpyHeader parse() {
    NpyHeader h;
    bool have_descr = false, have_order = false, have_shape = false, fortran = false;
    ws();
    expect('{');
    for (;;) {
      ws();
      if (eat('}')) break;
      const std::string key = string();
      ws();
      expect(':');
      ws();
      if (key == "descr") {
        if (peek() == '[') bad("structured dtypes (a list of fields) are not supported");
        h.descr = string();
        have_descr = true;
      } else if (key == "fortran_order") {
        fortran = boolean();
        have_order = true;
      } else if (key == "shape") {
        h.shape = Shape(tuple());
        have_shape = true;
      } else {
        bad("unexpected key '" + key + "'");
      }
      ws();
      if (!eat(',')) {
        ws();
        expect('}');
        break;
      }
    }
    ws();
    if (i_ != s_.size()) bad("unexpected text after the closing brace");
    if (!have_descr || !have_order || !have_shape)
      bad("missing key (a header needs 'descr', 'fortran_order' and 'shape')");
    if (fortran)
      fail(name_, "Fortran-order arrays are not supported; save np.ascontiguousarray(a) instead");
    return h;
  }

 private:
  [[noreturn]] void bad(const std::string& what) {
    fail(name_, "malformed header at character " + std::to_string(i_) + ": " + what);
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  void expect(char c) {
    if (!eat(c)) bad(std::string("expected '") + c + "'");
  }
  std::string string() {
    const char q = peek();
    if (q != '\'' && q != '"') bad("expected a quoted string");
    const size_t end = s_.find(q, ++i_);
    if (end == std::string_view::npos) bad("unterminated string");
    std::string out(s_.substr(i_, end - i_));
    if (out.find('\\') != std::string::npos) bad("escapes in strings are not supported");
    i_ = end + 1;
    return out;
  }
  bool boolean() {
    if (s_.substr(i_, 4) == "True") return i_ += 4, true;
    if (s_.substr(i_, 5) == "False") return i_ += 5, false;
    bad("expected True or False");
  }
  std::vector<int64_t> tuple() {
    std::vector<int64_t> dims;
    expect('(');
    for (;;) {
      ws();
      if (eat(')')) break;
      if (peek() < '0' || peek() > '9') bad("expected a dimension");
      int64_t d = 0;
      while (peek() >= '0' && peek() <= '9') {
        d = d * 10 + (s_[i_++] - '0');
        if (d > (int64_t{1} << 48)) bad("dimension too large");
      }
      eat('L');  // written by Python 2
      dims.push_back(d);
      if (dims.size() > 32) bad("more than 32 dimensions");
      ws();
      if (!eat(',')) {
        ws();
        expect(')');
        break;
      }
    }
    return dims;
  }

  std::string_view s_;
  size_t i_ = 0;
  const std::string& name_;
};

// Sources of bytes: read() returns fewer than asked only at the end.
struct FileSource {
  FILE* f;
  const std::string& name;
  size_t read(std::span<uint8_t> dst) {
    const size_t got = std::fread(dst.data(), 1, dst.size(), f);
    if (got < dst.size() && std::ferror(f))
      fail(name, std::string("read error: ") + std::strerror(errno));
    return got;
  }
};

struct MemorySource {
  std::span<const uint8_t> bytes;
  size_t read(std::span<uint8_t> dst) {
    const size_t n = std::min(dst.size(), bytes.size());
    if (n) std::memcpy(dst.data(), bytes.data(), n);
    bytes = bytes.subspan(n);
    return n;
  }
};

template <class T>
AnyArray make_array(const Shape& shape) {
  return NDArray<T>::uninitialized(shape);
}

// Reads one .npy stream of `total_size` bytes from `src`.
template <class Source>
AnyArray read_npy_stream(Source& src, uint64_t total_size, const std::string& name) {
  std::vector<uint8_t> prefix(std::min(total_size, kMaxPrefix));
  const size_t got = src.read(prefix);
  prefix.resize(got);
  const NpyHeader h = parse_npy_header(prefix, name);
  if (h.header_size + h.data_size != total_size) {
    if (h.header_size + h.data_size > total_size)
      fail(name, "truncated: the header declares " + std::to_string(h.data_size) +
                     " data bytes for shape " + h.shape.str() + " but only " +
                     std::to_string(total_size - h.header_size) + " follow it");
    fail(name, "has " + std::to_string(total_size - h.header_size - h.data_size) +
                   " bytes after the data its header declares; the file is corrupt");
  }
  static constexpr AnyArray (*kMakers[])(const Shape&) = {make_array<uint8_t>, make_array<int32_t>,
                                                          make_array<int64_t>, make_array<float>,
                                                          make_array<double>};
  AnyArray out = kMakers[dtype_info(h.descr, name).index](h.shape);
  uint8_t* data = std::visit([](auto& a) { return reinterpret_cast<uint8_t*>(a.data()); }, out);
  // Data bytes already read with the prefix, then the rest straight into the array.
  const size_t in_prefix = prefix.size() - size_t(h.header_size);
  std::memcpy(data, prefix.data() + h.header_size, in_prefix);
  const uint64_t rest = h.data_size - in_prefix;
  if (src.read({data + in_prefix, size_t(rest)}) != rest)
    fail(name, "truncated: the data ends before the " + std::to_string(h.data_size) +
                   " bytes its header declares");
  uint8_t extra;
  if (src.read({&extra, 1}) != 0)
    fail(name, "has bytes after the data its header declares; the file is corrupt");
  return out;
}

std::string tuple_str(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.rank(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + (s.rank() == 1 ? ",)" : ")");
}

}  // namespace

NpyHeader parse_npy_header(std::span<const uint8_t> prefix, const std::string& name) {
  if (prefix.size() < 10) fail(name, "truncated: shorter than the 10-byte .npy preamble");
  if (std::memcmp(prefix.data(), kMagic, 6) != 0)
    fail(name, "bad magic number (expected \\x93NUMPY); this is not a .npy file");
  const int major = prefix[6], minor = prefix[7];
  uint64_t len_size;
  if (major == 1 && minor == 0)
    len_size = 2;
  else if ((major == 2 || major == 3) && minor == 0)
    len_size = 4;
  else
    fail(name,
         "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor));
  if (prefix.size() < 8 + len_size) fail(name, "truncated inside the preamble");
  uint64_t header_len = 0;
  for (uint64_t i = 0; i < len_size; ++i) header_len |= uint64_t(prefix[8 + i]) << (8 * i);
  if (header_len > kMaxHeaderLen)
    fail(name, "header length " + std::to_string(header_len) + " is absurd (more than " +
                   std::to_string(kMaxHeaderLen) + " bytes); the file is corrupt");
  const uint64_t header_end = 8 + len_size + header_len;
  if (prefix.size() < header_end) fail(name, "truncated inside the header");
  const std::string_view text(reinterpret_cast<const char*>(prefix.data() + 8 + len_size),
                              header_len);
  NpyHeader h = DictParser(text, name).parse();
  const uint64_t itemsize = dtype_info(h.descr, name).itemsize;
  uint64_t count = 1;
  for (int64_t d : h.shape) {
    if (d != 0 && count > kMaxNpyBytes / uint64_t(d))
      fail(name, "shape " + h.shape.str() + " declares more than 16 GiB; the file is corrupt");
    count *= uint64_t(d);
  }
  if (count > kMaxNpyBytes / itemsize)
    fail(name, "shape " + h.shape.str() + " declares more than 16 GiB; the file is corrupt");
  h.header_size = header_end;
  h.data_size = count * itemsize;
  return h;
}

AnyArray load_npy(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    fail(name, "file not found or not a regular file");
  const uint64_t size = std::filesystem::file_size(path, ec);
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) fail(name, std::string("cannot be opened: ") + std::strerror(errno));
  FileSource src{f.get(), name};
  return read_npy_stream(src, size, name);
}

AnyArray parse_npy(std::span<const uint8_t> bytes, const std::string& name) {
  MemorySource src{bytes};
  return read_npy_stream(src, bytes.size(), name);
}

std::vector<uint8_t> npy_bytes(const AnyArray& array) {
  return std::visit(
      [](const auto& a) {
        using T = typename std::decay_t<decltype(a)>::value_type;
        std::string header = "{'descr': '" + std::string(descr_of<T>()) +
                             "', 'fortran_order': False, 'shape': " + tuple_str(a.shape()) + ", }";
        // Pad with spaces so the data starts on a 64-byte boundary, as numpy does.
        const size_t unpadded = 10 + header.size() + 1;
        header.append((64 - unpadded % 64) % 64, ' ');
        header += '\n';
        std::vector<uint8_t> out(kMagic, kMagic + 6);
        out.insert(out.end(), {1, 0, uint8_t(header.size() & 0xff), uint8_t(header.size() >> 8)});
        out.insert(out.end(), header.begin(), header.end());
        const auto* p = reinterpret_cast<const uint8_t*>(a.data());
        out.insert(out.end(), p, p + a.size() * sizeof(T));
        return out;
      },
      array);
}

// ---- NpzFile --------------------------------------------------------------------------------

namespace {
void check_npz_names(const ZipReader& zip) {
  for (const ZipEntry& e : zip.entries())
    if (!is_plain_entry_name(e.name))
      throw IOError("npz archive '" + zip.origin() + "': member name '" + e.name +
                    "' has a path component; an .npz holds only plain 'name.npy' members");
}
bool is_npy_member(const std::string& n) {
  return n.size() > 4 && n.ends_with(".npy");
}
}  // namespace

NpzFile::NpzFile(const std::filesystem::path& path) : zip_(ZipReader::open(path)) {
  check_npz_names(zip_);
}
NpzFile::NpzFile(std::span<const uint8_t> bytes, std::string name)
    : zip_(ZipReader::from_bytes(std::string(bytes.begin(), bytes.end()), std::move(name))) {
  check_npz_names(zip_);
}

std::vector<std::string> NpzFile::keys() const {
  std::vector<std::string> out;
  for (const ZipEntry& e : zip_.entries())
    if (is_npy_member(e.name)) out.push_back(e.name.substr(0, e.name.size() - 4));
  return out;
}

bool NpzFile::contains(const std::string& key) const {
  return zip_.find(key + ".npy") != nullptr;
}

AnyArray NpzFile::get(const std::string& key) const {
  const ZipEntry* e = zip_.find(key + ".npy");
  if (!e) {
    std::string have;
    for (const auto& k : keys()) have += (have.empty() ? "" : ", ") + k;
    throw IOError("npz archive '" + zip_.origin() + "' has no array '" + key +
                  "' (it holds: " + (have.empty() ? "nothing" : have) + ")");
  }
  ZipReader::Stream s = zip_.stream(*e);
  return read_npy_stream(s, e->size, zip_.origin() + ":" + e->name);
}

template <ArrayElement T>
NDArray<T> NpzFile::get(const std::string& key) const {
  AnyArray any = get(key);
  if (auto* a = std::get_if<NDArray<T>>(&any)) return std::move(*a);
  const std::string_view found = std::visit([](const auto& a) { return a.dtype(); }, any);
  throw IOError("npz archive '" + zip_.origin() + "': array '" + key + "' has dtype " +
                std::string(found) + ", expected " + std::string(dtype_name<T>()));
}

template NDArray<uint8_t> NpzFile::get<uint8_t>(const std::string&) const;
template NDArray<int32_t> NpzFile::get<int32_t>(const std::string&) const;
template NDArray<int64_t> NpzFile::get<int64_t>(const std::string&) const;
template NDArray<float> NpzFile::get<float>(const std::string&) const;
template NDArray<double> NpzFile::get<double>(const std::string&) const;

void save_npz(const std::filesystem::path& path,
              const std::vector<std::pair<std::string, AnyArray>>& arrays, bool compress) {
  ZipWriter zip;
  for (const auto& [key, array] : arrays) {
    if (!is_plain_entry_name(key + ".npy"))
      throw ValueError("save_npz: array name '" + key + "' must be a plain name (no '/' or '\\')");
    zip.add(key + ".npy", npy_bytes(array), {.compress = compress});
  }
  zip.write(path);
}

}  // namespace keras::io
