// Exception family of kerascpp. Every message says what was wrong, where, and how to fix it.
#pragma once

#include <stdexcept>
#include <string>

namespace keras {

/// Base of every error kerascpp throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An argument has a bad value or shape (Python's ValueError).
class ValueError : public Error {
 public:
  using Error::Error;
};

/// A file or stream could not be read or written, or its content is not what it claims to be.
class IOError : public Error {
 public:
  using Error::Error;
};

/// A feature that exists in Keras but not (yet) in kerascpp.
class NotImplementedError : public Error {
 public:
  using Error::Error;
};

}  // namespace keras
