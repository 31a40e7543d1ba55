#include "core/sip/param_list.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace core::sip {
namespace {

std::vector<std::string> names(std::string_view list, bool allow_lws) {
  std::vector<std::string> out;
  ParamCursor cursor(list, allow_lws);
  Param p;
  while (cursor.next(p)) out.emplace_back(p.name);
  if (cursor.malformed()) out.emplace_back("<malformed>");
  return out;
}

TEST(ParamListTest, WalksNamesAndValues) {
  const std::string_view list = ";lr;transport=tcp;x=\"a;b\"";
  EXPECT_EQ(names(list, false), (std::vector<std::string>{"lr", "transport", "x"}));
  const Param x = find_param(list, "X", false);
  EXPECT_TRUE(x.present());
  EXPECT_EQ(x.value, "\"a;b\"");
  const Param lr = find_param(list, "lr", false);
  EXPECT_TRUE(lr.present());
  EXPECT_FALSE(lr.has_value);
  EXPECT_FALSE(find_param(list, "maddr", false).present());
  EXPECT_TRUE(names("", false).empty());
}

TEST(ParamListTest, WhiteSpaceOnlyWhereAllowed) {
  const std::string_view spaced = " ; tag = 1 ;\r\n q=0.5";
  EXPECT_EQ(names(spaced, true), (std::vector<std::string>{"tag", "q"}));
  EXPECT_EQ(find_param(spaced, "q", true).value, "0.5");
  EXPECT_EQ(names(spaced, false), (std::vector<std::string>{"<malformed>"}));
}

TEST(ParamListTest, MalformedLists) {
  EXPECT_FALSE(params_well_formed(";", false));
  EXPECT_FALSE(params_well_formed(";=1", false));
  EXPECT_FALSE(params_well_formed(";a=", false));
  EXPECT_FALSE(params_well_formed("a=1", false));
  EXPECT_FALSE(params_well_formed(";a=\"open", true));
  EXPECT_FALSE(params_well_formed(";a=1 b", true));
  EXPECT_TRUE(params_well_formed(";a=1;b", true));
}

}  // namespace
}  // namespace core::sip
