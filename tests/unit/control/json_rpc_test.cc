#include "core/control/json_rpc.h"

#include <gtest/gtest.h>

namespace core::control {
namespace {

class JsonRpcTest : public ::testing::Test {
 protected:
  JsonRpcTest() {
    rpc_.add("echo", "answers its params", [](const Json& p) { return p; });
    rpc_.add("fails", "throws", [](const Json&) -> Json { throw std::runtime_error("boom"); });
    rpc_.add("refuses", "RpcError", [](const Json&) -> Json {
      throw RpcError(kInvalidParams, "invalid params: no", Json{{"why", "test"}});
    });
  }
  Json ask(const std::string& text) {
    std::string answer = rpc_.answer(text);
    EXPECT_EQ(answer.find('\n'), std::string::npos) << "one answer is one line";
    return answer.empty() ? Json() : Json::parse(answer);
  }
  int code(const std::string& text) {
    Json r = ask(text);
    EXPECT_EQ(r["jsonrpc"], "2.0");
    return r["error"]["code"].get<int>();
  }
  JsonRpc rpc_;
};

TEST_F(JsonRpcTest, ARequestIsAnsweredWithItsResultAndId) {
  Json r = ask(R"({"jsonrpc":"2.0","method":"echo","params":[1,"a"],"id":7})");
  EXPECT_EQ(r["result"], Json::parse(R"([1,"a"])"));
  EXPECT_EQ(r["id"], 7);
  EXPECT_FALSE(r.contains("error"));
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","method":"echo","id":"s"})")["id"], "s");
}

TEST_F(JsonRpcTest, TextThatIsNotJsonIsAParseErrorSayingWhere) {
  EXPECT_EQ(code("hello"), kParseError);
  EXPECT_EQ(code("{\"jsonrpc\":\"2.0\",\"method\":"), kParseError);
  EXPECT_EQ(code(std::string("{\"a\":\"\xff\"}")), kParseError);
  Json r = ask("{\"jsonrpc\": nope}");
  EXPECT_NE(r["error"]["message"].get<std::string>().find("column 14"), std::string::npos)
      << r.dump();
  EXPECT_TRUE(r["id"].is_null());
}

TEST_F(JsonRpcTest, JsonThatIsNotARequestIsAnInvalidRequest) {
  EXPECT_EQ(code("42"), kInvalidRequest);
  EXPECT_EQ(code("\"core.ps\""), kInvalidRequest);
  EXPECT_EQ(code("[]"), kInvalidRequest);
  EXPECT_EQ(code(R"({"method":"echo","id":1})"), kInvalidRequest);                  // no jsonrpc
  EXPECT_EQ(code(R"({"jsonrpc":"1.0","method":"echo","id":1})"), kInvalidRequest);  // version
  EXPECT_EQ(code(R"({"jsonrpc":"2.0","id":1})"), kInvalidRequest);                  // no method
  EXPECT_EQ(code(R"({"jsonrpc":"2.0","method":5,"id":1})"), kInvalidRequest);       // not a name
  EXPECT_EQ(code(R"({"jsonrpc":"2.0","method":"echo","params":3,"id":1})"), kInvalidRequest);
  EXPECT_EQ(code(R"({"jsonrpc":"2.0","method":"echo","id":{}})"), kInvalidRequest);  // bad id
}

TEST_F(JsonRpcTest, AnUnknownMethodIsMethodNotFound) {
  Json r = ask(R"({"jsonrpc":"2.0","method":"core.nope","id":3})");
  EXPECT_EQ(r["error"]["code"], kMethodNotFound);
  EXPECT_EQ(r["error"]["message"], "method not found: core.nope");
  EXPECT_EQ(r["id"], 3);
}

TEST_F(JsonRpcTest, AMethodsOwnErrorKeepsItsCodeAndDataAndAThrowIsAnInternalError) {
  Json r = ask(R"({"jsonrpc":"2.0","method":"refuses","id":1})");
  EXPECT_EQ(r["error"]["code"], kInvalidParams);
  EXPECT_EQ(r["error"]["data"]["why"], "test");
  EXPECT_EQ(code(R"({"jsonrpc":"2.0","method":"fails","id":1})"), kInternalError);
}

TEST_F(JsonRpcTest, NotificationsAreRunButNotAnswered) {
  EXPECT_EQ(rpc_.answer(R"({"jsonrpc":"2.0","method":"echo"})"), "");
  EXPECT_EQ(rpc_.answer(R"([{"jsonrpc":"2.0","method":"echo"}])"), "");
}

TEST_F(JsonRpcTest, ABatchIsAnsweredWithOneArrayOfTheAnswers) {
  Json r = ask(R"([{"jsonrpc":"2.0","method":"echo","params":[1],"id":1},
                   {"jsonrpc":"2.0","method":"echo","params":[2]},
                   7,
                   {"jsonrpc":"2.0","method":"nope","id":3}])");
  ASSERT_TRUE(r.is_array());
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]["result"], Json::parse("[1]"));
  EXPECT_EQ(r[1]["error"]["code"], kInvalidRequest);
  EXPECT_EQ(r[2]["error"]["code"], kMethodNotFound);
}

TEST_F(JsonRpcTest, ABatchIsBoundedInRequests) {
  std::string batch = "[";
  for (size_t i = 0; i <= JsonRpc::kMaxBatch; ++i)
    batch += std::string(i ? "," : "") + R"({"jsonrpc":"2.0","method":"echo","id":1})";
  Json r = ask(batch + "]");
  EXPECT_EQ(r["error"]["code"], kInvalidRequest);
  EXPECT_EQ(r["error"]["message"], "invalid request: a batch of 33 requests (at most 32)");
}

TEST_F(JsonRpcTest, ANumberBeyondADoubleIsAParseErrorNotACrash) {
  Json r = ask(R"({"jsonrpc":"2.0","method":"echo","id":1e400})");
  EXPECT_EQ(r["error"]["code"], kParseError);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("1e400"), std::string::npos) << r.dump();
  EXPECT_EQ(code(R"({"jsonrpc":"2.0","method":"echo","params":[-1e999],"id":1})"), kParseError);
  // A large integer is no overflow: it is read as a double.
  EXPECT_FALSE(ask(R"({"jsonrpc":"2.0","method":"echo","id":123456789012345678901234567890})")
                   .contains("error"));
}

TEST_F(JsonRpcTest, DeeplyNestedInputIsAnsweredNotACrash) {
  std::string deep(30000, '[');
  deep += std::string(30000, ']');
  Json batch = ask(deep);  // a batch of one element that is no request
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0]["error"]["code"], kInvalidRequest);
  std::string objects;
  for (int i = 0; i < 10000; ++i) objects += "{\"a\":";
  objects += "1" + std::string(10000, '}');
  EXPECT_EQ(code(objects), kInvalidRequest);
}

}  // namespace
}  // namespace core::control
