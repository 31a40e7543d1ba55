#pragma once
// "did you mean" suggestions for near-miss names (parameters, functions, routes).
#include <string>
#include <string_view>
#include <vector>

namespace cfg {

// Edit distance (Damerau: a swap of two neighbours counts once), case-insensitive.
int edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a plausible typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

// ", did you mean 'x'?" or "" — ready to append to a message.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace cfg
