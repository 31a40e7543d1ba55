#include "core/sip/message_edit.h"

#include <charconv>

#include "core/sip/sip_message.h"
#include "core/sip/text.h"

namespace core::sip {

bool MessageEdit::fail(EditError e) {
  if (error_ == EditError::kNone) error_ = e;
  return false;
}

bool MessageEdit::add(size_t offset, size_t length, std::string_view text) {
  if (count_ == kMaxEdits) return fail(EditError::kTooManyEdits);
  if (offset > original_.size() || length > original_.size() - offset) {
    return fail(EditError::kOutOfRange);
  }
  edits_[count_] = Edit{static_cast<uint32_t>(offset), static_cast<uint32_t>(length), text,
                        static_cast<uint16_t>(count_)};
  ++count_;
  return true;
}

bool MessageEdit::insert(size_t offset, std::string_view text) {
  return add(offset, 0, text);
}

bool MessageEdit::remove(size_t offset, size_t length) {
  return add(offset, length, {});
}

bool MessageEdit::replace(size_t offset, size_t length, std::string_view text) {
  return add(offset, length, text);
}

std::string_view MessageEdit::keep(std::string_view text) {
  if (text.size() > scratch_.size() - scratch_used_) {
    fail(EditError::kNoSpace);
    return {};
  }
  char* dst = scratch_.data() + scratch_used_;
  text.copy(dst, text.size());
  scratch_used_ += text.size();
  return {dst, text.size()};
}

std::string_view MessageEdit::keep_number(uint64_t value) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  return keep(std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
}

bool MessageEdit::prepend_header(const SipMessage& msg, std::string_view header_line) {
  return insert(msg.headers_offset(), header_line);
}

bool MessageEdit::append_header(const SipMessage& msg, std::string_view header_line) {
  return insert(msg.headers_end(), header_line);
}

bool MessageEdit::remove_header(const HeaderField& h) {
  return remove(h.offset, h.length);
}

bool MessageEdit::replace_value(const HeaderField& h, std::string_view value) {
  return replace(h.value_offset, h.value_length, value);
}

bool MessageEdit::replace_request_uri(const SipMessage& msg, std::string_view uri) {
  if (!msg.is_request()) return fail(EditError::kOutOfRange);
  return replace(offset_in(msg.data(), msg.request_uri()), msg.request_uri().size(), uri);
}

bool MessageEdit::remove_value(const SipMessage& msg, const HeaderField& h,
                               std::string_view value) {
  const std::string_view all = msg.value(h);
  if (value.data() < all.data() || value.data() + value.size() > all.data() + all.size()) {
    return fail(EditError::kOutOfRange);
  }
  size_t begin = offset_in(all, value);
  size_t end = begin + value.size();
  // Take the following separator ("value ,  next") or, for the last value, the preceding one.
  size_t after = end;
  while (after < all.size() && is_lws(all[after])) ++after;
  if (after < all.size() && all[after] == ',') {
    ++after;
    while (after < all.size() && is_lws(all[after])) ++after;
    end = after;
  } else {
    size_t before = begin;
    while (before > 0 && is_lws(all[before - 1])) --before;
    if (before == 0) return remove_header(h);  // the only value
    if (all[before - 1] == ',') {
      begin = before - 1;
      while (begin > 0 && is_lws(all[begin - 1])) --begin;
    }
  }
  return remove(h.value_offset + begin, end - begin);
}

EditError MessageEdit::sorted(std::array<Edit, kMaxEdits>& out) const {
  for (size_t i = 0; i < count_; ++i) {  // insertion sort: a handful of edits
    const Edit e = edits_[i];
    size_t j = i;
    while (j > 0 && (out[j - 1].offset > e.offset ||
                     (out[j - 1].offset == e.offset && out[j - 1].length > 0 && e.length == 0))) {
      out[j] = out[j - 1];
      --j;
    }
    out[j] = e;
  }
  // At one offset, inserts come first (in order of addition), then at most one range.
  for (size_t i = 1; i < count_; ++i) {
    const Edit& prev = out[i - 1];
    if (prev.length > 0 && out[i].offset < prev.offset + prev.length) return EditError::kOverlap;
  }
  return EditError::kNone;
}

size_t MessageEdit::result_size() const {
  size_t n = original_.size();
  for (size_t i = 0; i < count_; ++i) n = n - edits_[i].length + edits_[i].text.size();
  return n;
}

}  // namespace core::sip
