#include "io/hdf5.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "keras/core/error.hpp"

namespace keras::io::h5 {

namespace {

std::recursive_mutex& library_mutex() {
  static std::recursive_mutex m;
  return m;
}

// Collects the descriptions of HDF5's error stack, innermost last.
herr_t collect_error(unsigned, const H5E_error2_t* e, void* data) {
  auto* out = static_cast<std::vector<std::string>*>(data);
  if (e && e->desc && *e->desc) out->emplace_back(e->desc);
  return 0;
}

// HDF5's own explanation of the last failure, then the stack is cleared.
std::string hdf5_reason() {
  std::vector<std::string> descs;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &descs);
  H5Eclear2(H5E_DEFAULT);
  if (descs.empty()) return "HDF5 error";
  std::string out = descs.back();
  if (descs.size() > 1 && descs.front() != descs.back()) out = descs.front() + ": " + out;
  return out;
}

[[noreturn]] void fail(const std::string& what) {
  throw IOError(what + " (" + hdf5_reason() + ")");
}

hid_t check(hid_t id, const std::string& what) {
  if (id < 0) fail(what);
  return id;
}

void check(herr_t status, const std::string& what, int) {
  if (status < 0) fail(what);
}

std::string join(const std::string& base, std::string_view rel) {
  std::string out = base.empty() || base == "/" ? std::string() : base;
  out += '/';
  out += rel;
  return out;
}

std::vector<std::string> split_path(std::string_view rel, const std::string& where) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string_view part = rel.substr(start, end - start);
    if (part == "." || part == "..")
      throw IOError("HDF5 path '" + std::string(rel) + "' under '" + where + "' uses '" +
                    std::string(part) + "'; only plain names are allowed");
    if (!part.empty()) parts.emplace_back(part);
    start = end + 1;
  }
  if (parts.empty()) throw IOError("empty HDF5 path under '" + where + "'");
  return parts;
}

enum class Kind { absent, group, dataset, other };

// Opens one child by a hard link only; returns its kind.
Kind open_child(hid_t parent, const std::string& name, Id& out) {
  const htri_t exists = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
  if (exists <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return Kind::absent;
  }
  H5L_info_t info;
  if (H5Lget_info(parent, name.c_str(), &info, H5P_DEFAULT) < 0)
    fail("cannot inspect link '" + name + "'");
  if (info.type != H5L_TYPE_HARD) return Kind::other;  // soft and external links are refused
  hid_t obj = H5Oopen(parent, name.c_str(), H5P_DEFAULT);
  if (obj < 0) fail("cannot open '" + name + "'");
  const H5I_type_t type = H5Iget_type(obj);
  if (type == H5I_GROUP) {
    out = Id(obj, H5Gclose);
    return Kind::group;
  }
  if (type == H5I_DATASET) {
    out = Id(obj, H5Dclose);
    return Kind::dataset;
  }
  H5Oclose(obj);
  return Kind::other;
}

// Walks `rel` from `start` through hard-linked groups. Returns the kind of the last component.
Kind walk(hid_t start, const std::string& start_path, std::string_view rel, Id& out,
          std::string& path) {
  const auto parts = split_path(rel, start_path);
  Id current;
  hid_t cur = start;
  path = start_path;
  for (size_t i = 0; i < parts.size(); ++i) {
    Id next;
    const Kind k = open_child(cur, parts[i], next);
    path = join(path, parts[i]);
    if (i + 1 == parts.size()) {
      out = std::move(next);
      return k;
    }
    if (k == Kind::absent) return Kind::absent;
    if (k != Kind::group) return Kind::other;
    current = std::move(next);
    cur = current.get();
  }
  return Kind::absent;
}

Id make_plist(hid_t cls) {
  return Id(check(H5Pcreate(cls), "cannot create a property list"), H5Pclose);
}

// Object creation without timestamps: identical models give identical files.
Id group_create_plist() {
  Id p = make_plist(H5P_GROUP_CREATE);
  H5Pset_obj_track_times(p.get(), false);
  return p;
}

Id link_create_plist() {
  Id p = make_plist(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(p.get(), 1);
  return p;
}

Id string_type(bool variable, size_t size, Charset cs) {
  Id t(check(H5Tcopy(H5T_C_S1), "cannot create a string type"), H5Tclose);
  check(H5Tset_size(t.get(), variable ? H5T_VARIABLE : std::max<size_t>(size, 1)),
        "cannot size a string type", 0);
  H5Tset_cset(t.get(), cs == Charset::utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
  H5Tset_strpad(t.get(), H5T_STR_NULLTERM);
  return t;
}

constexpr hsize_t kMaxAttributeElements = 1 << 20;
constexpr size_t kMaxAttributeBytes = size_t(256) << 20;
// Keras's HDF5_OBJECT_HEADER_LIMIT: bigger attributes are split into name0, name1, ...
constexpr size_t kHeaderLimit = 64512;

std::vector<std::string> read_string_attribute(hid_t attr, const std::string& where) {
  Id type(check(H5Aget_type(attr), "cannot read the type of " + where), H5Tclose);
  Id space(check(H5Aget_space(attr), "cannot read the shape of " + where), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (rank < 0 || rank > 1 || n < 0 || static_cast<hsize_t>(n) > kMaxAttributeElements)
    throw IOError(where + " is not a list of strings");
  if (n == 0) return {};  // Keras writes an empty float64 array for "no names"
  if (H5Tget_class(type.get()) != H5T_STRING) throw IOError(where + " is not a list of strings");
  const auto count = static_cast<size_t>(n);
  const H5T_cset_t cset = H5Tget_cset(type.get());
  const Charset cs = cset == H5T_CSET_UTF8 ? Charset::utf8 : Charset::ascii;
  std::vector<std::string> out;
  out.reserve(count);
  if (H5Tis_variable_str(type.get()) > 0) {
    Id mem = string_type(true, 0, cs);
    std::vector<char*> ptrs(count, nullptr);
    if (H5Aread(attr, mem.get(), ptrs.data()) < 0) fail("cannot read " + where);
    size_t total = 0;
    for (char* p : ptrs) {
      std::string s = p ? std::string(p) : std::string();
      total += s.size();
      out.push_back(std::move(s));
      if (p) H5free_memory(p);
    }
    if (total > kMaxAttributeBytes) throw IOError(where + " is too large");
  } else {
    const size_t size = H5Tget_size(type.get());
    if (size == 0 || size > kMaxAttributeBytes / count) throw IOError(where + " is too large");
    Id mem = string_type(false, size, cs);
    H5Tset_strpad(mem.get(), H5T_STR_NULLPAD);
    std::vector<char> buf(size * count, '\0');
    if (H5Aread(attr, mem.get(), buf.data()) < 0) fail("cannot read " + where);
    for (size_t i = 0; i < count; ++i) {
      const char* p = buf.data() + i * size;
      out.emplace_back(p, strnlen(p, size));
    }
  }
  return out;
}

std::atomic<unsigned> memory_file_counter{0};

}  // namespace

// ---- session / ids ----------------------------------------------------------------------------
Session::Session() : lock_(library_mutex()) {
  H5Eget_auto2(H5E_DEFAULT, &saved_func_, &saved_data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Session::~Session() {
  H5Eclear2(H5E_DEFAULT);
  H5Eset_auto2(H5E_DEFAULT, saved_func_, saved_data_);
}

Id& Id::operator=(Id&& o) noexcept {
  if (this != &o) {
    if (id_ >= 0 && close_) close_(id_);
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = -1;
  }
  return *this;
}

Id::~Id() {
  if (id_ >= 0 && close_) close_(id_);
}

bool has_signature(std::string_view bytes) {
  static constexpr char sig[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  // HDF5 looks for its superblock at 0, 512, 1024, 2048... (after a user block).
  for (size_t off = 0; off + 8 <= bytes.size(); off = off ? off * 2 : 512)
    if (std::memcmp(bytes.data() + off, sig, 8) == 0) return true;
  return false;
}

// ---- dataset ----------------------------------------------------------------------------------
Shape Dataset::shape() const {
  Id space(check(H5Dget_space(id_.get()), "cannot read the shape of '" + path_ + "'"), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > H5S_MAX_RANK)
    throw IOError("dataset '" + path_ + "' has an invalid shape");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  std::vector<int64_t> out;
  for (hsize_t d : dims) {
    if (d > (hsize_t(1) << 40))
      throw IOError("dataset '" + path_ + "' declares a dimension of " + std::to_string(d));
    out.push_back(static_cast<int64_t>(d));
  }
  return Shape(std::move(out));
}

bool Dataset::is_float() const {
  Id type(check(H5Dget_type(id_.get()), "cannot read the type of '" + path_ + "'"), H5Tclose);
  return H5Tget_class(type.get()) == H5T_FLOAT;
}

bool Dataset::is_integer() const {
  Id type(check(H5Dget_type(id_.get()), "cannot read the type of '" + path_ + "'"), H5Tclose);
  return H5Tget_class(type.get()) == H5T_INTEGER;
}

void Dataset::check_float_array(const Shape& expected, const std::string& what) const {
  const Shape got = shape();
  if (got != expected)
    throw ValueError(what + " has shape " + expected.str() + " in the model but " + got.str() +
                     " in the file (" + path_ + ")");
  Id type(check(H5Dget_type(id_.get()), "cannot read the type of '" + path_ + "'"), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_FLOAT)
    throw IOError(what + " (" + path_ + ") is not stored as floating point numbers");
  Id dcpl(check(H5Dget_create_plist(id_.get()), "cannot inspect '" + path_ + "'"), H5Pclose);
  const H5D_layout_t layout = H5Pget_layout(dcpl.get());
  if (layout == H5D_VIRTUAL || H5Pget_external_count(dcpl.get()) != 0)
    throw IOError(what + " (" + path_ + ") refers to data in other files, which is not allowed");
  const uint64_t n = static_cast<uint64_t>(expected.size());
  const uint64_t stored = H5Dget_storage_size(id_.get());
  // Unwritten data would read as zeros: demand it is all there.
  if (n > 0 && (stored == 0 || (layout == H5D_CONTIGUOUS && stored < n * H5Tget_size(type.get()))))
    throw IOError(what + " (" + path_ + ") is incomplete in the file: " + std::to_string(stored) +
                  " bytes stored for " + std::to_string(n) + " values");
}

void Dataset::read(std::span<float> out) const {
  if (out.empty()) return;
  if (H5Dread(id_.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    fail("cannot read dataset '" + path_ + "'");
}

double Dataset::read_scalar() const {
  Id space(check(H5Dget_space(id_.get()), "cannot read the shape of '" + path_ + "'"), H5Sclose);
  if (H5Sget_simple_extent_npoints(space.get()) != 1)
    throw IOError("dataset '" + path_ + "' should hold one value");
  Id type(check(H5Dget_type(id_.get()), "cannot read the type of '" + path_ + "'"), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_INTEGER) {
    int64_t v = 0;
    if (H5Dread(id_.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0)
      fail("cannot read dataset '" + path_ + "'");
    return static_cast<double>(v);
  }
  if (cls == H5T_FLOAT) {
    double v = 0;
    if (H5Dread(id_.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0)
      fail("cannot read dataset '" + path_ + "'");
    return v;
  }
  throw IOError("dataset '" + path_ + "' is not a number");
}

// ---- group ------------------------------------------------------------------------------------
std::vector<std::string> Group::children() const {
  H5G_info_t info;
  if (H5Gget_info(id_.get(), &info) < 0) fail("cannot list group '" + path_ + "'");
  if (info.nlinks > (1u << 20)) throw IOError("group '" + path_ + "' has too many members");
  std::vector<std::string> out;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len =
        H5Lget_name_by_idx(id_.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (len < 0 || len > 65535) fail("cannot read a member name of group '" + path_ + "'");
    std::string name(static_cast<size_t>(len) + 1, '\0');
    H5Lget_name_by_idx(id_.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                       H5P_DEFAULT);
    name.resize(static_cast<size_t>(len));
    H5L_info_t linfo;
    if (H5Lget_info(id_.get(), name.c_str(), &linfo, H5P_DEFAULT) >= 0 &&
        linfo.type == H5L_TYPE_HARD)
      out.push_back(std::move(name));
  }
  return out;
}

std::optional<Group> Group::find_group(std::string_view rel) const {
  Id out;
  std::string path;
  const Kind k = walk(id_.get(), path_, rel, out, path);
  if (k == Kind::absent) return std::nullopt;
  if (k != Kind::group)
    throw IOError("'" + path + "' is not a group (or is a link, which is not allowed)");
  return Group(std::move(out), path);
}

std::optional<Dataset> Group::find_dataset(std::string_view rel) const {
  Id out;
  std::string path;
  const Kind k = walk(id_.get(), path_, rel, out, path);
  if (k == Kind::absent) return std::nullopt;
  if (k != Kind::dataset)
    throw IOError("'" + path + "' is not a dataset (or is a link, which is not allowed)");
  return Dataset(std::move(out), path);
}

Group Group::group(std::string_view rel) const {
  auto g = find_group(rel);
  if (!g) throw IOError("group '" + join(path_, rel) + "' is missing");
  return std::move(*g);
}

Dataset Group::dataset(std::string_view rel) const {
  auto d = find_dataset(rel);
  if (!d) throw IOError("dataset '" + join(path_, rel) + "' is missing");
  return std::move(*d);
}

bool Group::has_attribute(std::string_view name) const {
  const htri_t r = H5Aexists(id_.get(), std::string(name).c_str());
  if (r < 0) H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

std::optional<std::vector<std::string>> Group::string_list_attribute(std::string_view name) const {
  const std::string where = "attribute '" + std::string(name) + "' of '" + path_ + "'";
  auto read_one = [&](const std::string& attr_name) {
    Id attr(check(H5Aopen(id_.get(), attr_name.c_str(), H5P_DEFAULT), "cannot open " + where),
            H5Aclose);
    return read_string_attribute(attr.get(), where);
  };
  if (has_attribute(name)) return read_one(std::string(name));
  // Chunked: name0, name1, ...
  std::vector<std::string> out;
  bool found = false;
  for (int chunk = 0; chunk < 100000; ++chunk) {
    const std::string chunk_name = std::string(name) + std::to_string(chunk);
    if (!has_attribute(chunk_name)) break;
    found = true;
    auto part = read_one(chunk_name);
    out.insert(out.end(), part.begin(), part.end());
    if (out.size() > kMaxAttributeElements) throw IOError(where + " is too large");
  }
  if (!found) return std::nullopt;
  return out;
}

std::optional<std::string> Group::string_attribute(std::string_view name) const {
  if (!has_attribute(name)) return std::nullopt;
  const std::string where = "attribute '" + std::string(name) + "' of '" + path_ + "'";
  Id attr(check(H5Aopen(id_.get(), std::string(name).c_str(), H5P_DEFAULT), "cannot open " + where),
          H5Aclose);
  auto values = read_string_attribute(attr.get(), where);
  if (values.size() != 1) throw IOError(where + " should be one string");
  return std::move(values.front());
}

Group Group::create_group(std::string_view name) {
  Id lcpl = link_create_plist();
  Id gcpl = group_create_plist();
  const std::string n(name);
  Id g(check(H5Gcreate2(id_.get(), n.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT),
             "cannot create group '" + join(path_, name) + "'"),
       H5Gclose);
  return Group(std::move(g), join(path_, name));
}

void Group::write_string_attribute(std::string_view name, std::string_view value, Charset cs) {
  Id type = string_type(true, 0, cs);
  Id space(check(H5Screate(H5S_SCALAR), "cannot create a dataspace"), H5Sclose);
  const std::string n(name), v(value);
  Id attr(check(H5Acreate2(id_.get(), n.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                "cannot create attribute '" + n + "'"),
          H5Aclose);
  const char* p = v.c_str();
  check(H5Awrite(attr.get(), type.get(), &p), "cannot write attribute '" + n + "'", 0);
}

void Group::write_string_list_attribute(std::string_view name,
                                        const std::vector<std::string>& values) {
  const std::string n(name);
  if (values.empty()) {  // np.asarray([]) is float64 of shape (0,)
    const hsize_t dims[1] = {0};
    Id space(check(H5Screate_simple(1, dims, nullptr), "cannot create a dataspace"), H5Sclose);
    Id attr(check(H5Acreate2(id_.get(), n.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT,
                             H5P_DEFAULT),
                  "cannot create attribute '" + n + "'"),
            H5Aclose);
    double dummy = 0;
    check(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &dummy), "cannot write attribute '" + n + "'", 0);
    return;
  }
  size_t longest = 0;
  for (const auto& v : values) longest = std::max(longest, v.size());
  auto write = [&](const std::string& attr_name, size_t begin, size_t end, bool fixed) {
    const hsize_t dims[1] = {end - begin};
    Id space(check(H5Screate_simple(1, dims, nullptr), "cannot create a dataspace"), H5Sclose);
    Id type = string_type(!fixed, longest, Charset::ascii);
    if (fixed) H5Tset_strpad(type.get(), H5T_STR_NULLPAD);  // numpy 'S' arrays
    Id attr(check(H5Acreate2(id_.get(), attr_name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                             H5P_DEFAULT),
                  "cannot create attribute '" + attr_name + "'"),
            H5Aclose);
    if (fixed) {
      std::vector<char> buf((end - begin) * longest, '\0');
      for (size_t i = begin; i < end; ++i)
        std::memcpy(buf.data() + (i - begin) * longest, values[i].data(), values[i].size());
      check(H5Awrite(attr.get(), type.get(), buf.data()),
            "cannot write attribute '" + attr_name + "'", 0);
    } else {
      std::vector<const char*> ptrs;
      for (size_t i = begin; i < end; ++i) ptrs.push_back(values[i].c_str());
      check(H5Awrite(attr.get(), type.get(), ptrs.data()),
            "cannot write attribute '" + attr_name + "'", 0);
    }
  };
  // numpy's nbytes of the 'S' array decides whether Keras splits it.
  size_t chunks = 1;
  auto chunk_bytes = [&](size_t k) { return ((values.size() + k - 1) / k) * longest; };
  while (chunk_bytes(chunks) > kHeaderLimit && chunks < values.size()) ++chunks;
  if (chunks == 1) {
    write(n, 0, values.size(), false);
    return;
  }
  // np.array_split: the first (size % chunks) parts get one extra element.
  const size_t base = values.size() / chunks, extra = values.size() % chunks;
  size_t begin = 0;
  for (size_t c = 0; c < chunks; ++c) {
    const size_t len = base + (c < extra ? 1 : 0);
    write(n + std::to_string(c), begin, begin + len, true);
    begin += len;
  }
}

void Group::write_dataset(std::string_view rel, const Shape& shape, const float* data) {
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  Id space(
      check(dims.empty() ? H5Screate(H5S_SCALAR)
                         : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
            "cannot create a dataspace"),
      H5Sclose);
  Id lcpl = link_create_plist();
  Id dcpl = make_plist(H5P_DATASET_CREATE);
  H5Pset_obj_track_times(dcpl.get(), false);
  const std::string r(rel);
  Id ds(check(H5Dcreate2(id_.get(), r.c_str(), H5T_IEEE_F32LE, space.get(), lcpl.get(), dcpl.get(),
                         H5P_DEFAULT),
              "cannot create dataset '" + join(path_, rel) + "'"),
        H5Dclose);
  if (shape.size() > 0)
    check(H5Dwrite(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
          "cannot write dataset '" + join(path_, rel) + "'", 0);
}

namespace {
void write_scalar_of(hid_t loc, const std::string& where, std::string_view rel, hid_t file_type,
                     hid_t mem_type, const void* value) {
  Id space(check(H5Screate(H5S_SCALAR), "cannot create a dataspace"), H5Sclose);
  Id lcpl = link_create_plist();
  Id dcpl = make_plist(H5P_DATASET_CREATE);
  H5Pset_obj_track_times(dcpl.get(), false);
  const std::string r(rel);
  Id ds(
      check(H5Dcreate2(loc, r.c_str(), file_type, space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
            "cannot create dataset '" + join(where, rel) + "'"),
      H5Dclose);
  check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, value),
        "cannot write dataset '" + join(where, rel) + "'", 0);
}
}  // namespace

void Group::write_scalar(std::string_view rel, int64_t value) {
  write_scalar_of(id_.get(), path_, rel, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void Group::write_scalar(std::string_view rel, float value) {
  write_scalar_of(id_.get(), path_, rel, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, &value);
}

// ---- file -------------------------------------------------------------------------------------
File File::open(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw IOError("cannot open '" + path.string() + "': " +
                  (std::filesystem::exists(path, ec) ? "not a regular file" : "no such file"));
  Id fapl = make_plist(H5P_FILE_ACCESS);
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get());
  if (f < 0)
    throw IOError("'" + path.string() + "' is not a readable HDF5 file (" + hdf5_reason() + ")");
  return from_id(f, path.string());
}

File File::open_image(std::string_view bytes, const std::string& origin) {
  if (!has_signature(bytes)) throw IOError(origin + " is not an HDF5 file (no HDF5 signature)");
  Id fapl = make_plist(H5P_FILE_ACCESS);
  check(H5Pset_fapl_core(fapl.get(), 1 << 16, false), "cannot set up an in-memory file", 0);
  check(H5Pset_file_image(fapl.get(), const_cast<char*>(bytes.data()), bytes.size()),
        "cannot load the file image of " + origin, 0);
  const std::string name = "kerascpp-image-" + std::to_string(memory_file_counter++);
  const hid_t f = H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl.get());
  if (f < 0) throw IOError(origin + " is not a readable HDF5 file (" + hdf5_reason() + ")");
  return from_id(f, origin);
}

File File::create_in_memory() {
  Id fapl = make_plist(H5P_FILE_ACCESS);
  check(H5Pset_fapl_core(fapl.get(), 1 << 20, false), "cannot set up an in-memory file", 0);
  const std::string name = "kerascpp-new-" + std::to_string(memory_file_counter++);
  Id fcpl = make_plist(H5P_FILE_CREATE);
  const hid_t f = H5Fcreate(name.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get());
  if (f < 0) fail("cannot create an in-memory HDF5 file");
  return from_id(f, "<new file>");
}

File File::from_id(hid_t f, std::string origin) {
  Id file(f, H5Fclose);
  Id root(check(H5Gopen2(f, "/", H5P_DEFAULT), "cannot open the root group of " + origin),
          H5Gclose);
  return File(std::move(file), std::move(root), std::move(origin));
}

std::string File::image() const {
  check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "cannot flush the HDF5 file", 0);
  const ssize_t size = H5Fget_file_image(file_.get(), nullptr, 0);
  if (size < 0) fail("cannot take the HDF5 file image");
  std::string out(static_cast<size_t>(size), '\0');
  if (H5Fget_file_image(file_.get(), out.data(), out.size()) != size)
    fail("cannot take the HDF5 file image");
  return out;
}

}  // namespace keras::io::h5
