#pragma once
// A small list of edits to one message (insert at an offset, delete or replace a range),
// applied in one pass into a caller-provided string that is reserved once. Used by the
// proxy on the forward path: add a Via, set received/rport, pop a Route, decrement
// Max-Forwards, add Record-Route, append/remove headers, rewrite the Request-URI.
// No allocation per edit: edits live in a fixed array and short texts can be copied into an
// inline scratch area (keep()).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace core::sip {

class SipMessage;
struct HeaderField;

enum class EditError : uint8_t {
  kNone,
  kTooManyEdits,  // more than kMaxEdits
  kOutOfRange,    // an offset or range beyond the original
  kOverlap,       // two ranges overlap, or an insert falls inside a removed range
  kNoSpace,       // keep() ran out of scratch space
};

class MessageEdit {
 public:
  static constexpr size_t kMaxEdits = 32;
  static constexpr size_t kScratchSize = 1024;

  // `original` is the message the offsets refer to (SipMessage::data()); it must outlive
  // this object, as must every text passed to insert()/replace() that was not keep()-ed.
  explicit MessageEdit(std::string_view original) : original_(original) {}
  MessageEdit(const MessageEdit&) = delete;
  MessageEdit& operator=(const MessageEdit&) = delete;

  // Each returns false (and records the first error) when the edit cannot be taken.
  bool insert(size_t offset, std::string_view text);
  bool remove(size_t offset, size_t length);
  bool replace(size_t offset, size_t length, std::string_view text);

  // Copies `text` into the inline scratch area and returns a view of the copy (valid as long
  // as this object); an empty view and kNoSpace when it does not fit.
  std::string_view keep(std::string_view text);
  // Formats an unsigned number into the scratch area.
  std::string_view keep_number(uint64_t value);

  // Header-level helpers on a parsed message whose data() is `original`.
  // A new header line (with its CRLF) before the first header: a new top Via goes here.
  bool prepend_header(const SipMessage& msg, std::string_view header_line);
  // A new header line (with its CRLF) after the last header.
  bool append_header(const SipMessage& msg, std::string_view header_line);
  bool remove_header(const HeaderField& h);
  bool replace_value(const HeaderField& h, std::string_view value);
  bool replace_request_uri(const SipMessage& msg, std::string_view uri);
  // Removes one value of a multi-value header (Route, Via...): the whole line when it is the
  // only value, else the value and its separating comma. `value` must be a view into the
  // header's value (from ValueSplitter).
  bool remove_value(const SipMessage& msg, const HeaderField& h, std::string_view value);

  EditError error() const { return error_; }
  size_t edit_count() const { return count_; }
  // The size of the result.
  size_t result_size() const;
  // Writes the edited message into `out` (cleared, reserved once). On error `out` is left
  // empty and the error is returned.
  // Any std::basic_string<char, ...> (a pool-backed one on the forward path).
  template <typename String>
  EditError apply(String& out) const {
    out.clear();
    std::array<Edit, kMaxEdits> order;
    EditError err = error_ != EditError::kNone ? error_ : sorted(order);
    if (err != EditError::kNone) return err;
    out.reserve(result_size());
    size_t pos = 0;
    for (size_t i = 0; i < count_; ++i) {
      out.append(original_.substr(pos, order[i].offset - pos));
      out.append(order[i].text);
      pos = order[i].offset + order[i].length;
    }
    out.append(original_.substr(pos));
    return EditError::kNone;
  }

 private:
  struct Edit {
    uint32_t offset = 0;
    uint32_t length = 0;  // bytes of the original removed (0 for an insert)
    std::string_view text;
    uint16_t seq = 0;  // insertion order, to keep edits at one offset stable
  };
  bool add(size_t offset, size_t length, std::string_view text);
  bool fail(EditError e);
  EditError sorted(std::array<Edit, kMaxEdits>& out) const;

  std::string_view original_;
  std::array<Edit, kMaxEdits> edits_{};
  size_t count_ = 0;
  EditError error_ = EditError::kNone;
  std::array<char, kScratchSize> scratch_{};
  size_t scratch_used_ = 0;
};

}  // namespace core::sip
