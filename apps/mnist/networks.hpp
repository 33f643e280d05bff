#pragma once
// The networks the program trains, by name: the MNIST ones and chapter 3's CIFAR-10 ones. Each is a compile-time model
// of the library's layers; with_network hands the chosen one's type to a generic function, so the program's code exists
// once and is compiled for each network.
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "jiggle/error.hpp"
#include "jiggle/models/cifar_cnn.hpp"
#include "jiggle/models/mnist_cnn.hpp"
#include "jiggle/models/mnist_mlp.hpp"

struct NetworkInfo {
  std::string_view name;
  std::string_view layers;  // what it is, for --list and the run's first line
};

template <class Model>
struct Network {
  using Type = Model;
  NetworkInfo info;
};

inline constexpr std::tuple kNetworks{
    Network<jiggle::MnistMlp<float>>{{"mlp", "784-512-512-10, ReLU, softmax cross-entropy"}},
    Network<jiggle::MnistLinear<float>>{{"linear", "784-10, softmax cross-entropy"}},
    Network<jiggle::MnistShallow<32, float>>{{"shallow-h32", "784-32-10, ReLU"}},
    Network<jiggle::MnistShallow<64, float>>{{"shallow-h64", "784-64-10, ReLU"}},
    Network<jiggle::MnistShallow<128, float>>{{"shallow-h128", "784-128-10, ReLU"}},
    Network<jiggle::MnistShallow<256, float>>{{"shallow-h256", "784-256-10, ReLU"}},
    Network<jiggle::MnistShallow<512, float>>{{"shallow-h512", "784-512-10, ReLU"}},
    Network<jiggle::MnistCnn<float>>{
        {"cnn-nobn", "conv 1-32, conv 32-32 (3x3 same, ReLU), maxpool 2, 6272-512-512-10"}},
    Network<jiggle::MnistCnnBn<float>>{
        {"cnn-bn",
         "[conv 3x3 same, batch norm, ReLU] 1-32, 32-32, maxpool 2, [same] 32-64, 64-64, maxpool 2, 3136-512-10"}},
    Network<jiggle::MnistWidthCnn<8, float>>{
        {"width-cnn-f8", "conv 1-8, conv 8-8 (3x3 same, ReLU), maxpool 2, 1568-128-10"}},
    Network<jiggle::MnistWidthCnn<16, float>>{
        {"width-cnn-f16", "conv 1-16, conv 16-16 (3x3 same, ReLU), maxpool 2, 3136-128-10"}},
    Network<jiggle::MnistWidthCnn<32, float>>{
        {"width-cnn-f32", "conv 1-32, conv 32-32 (3x3 same, ReLU), maxpool 2, 6272-128-10"}},
    Network<jiggle::MnistWidthCnn<64, float>>{
        {"width-cnn-f64", "conv 1-64, conv 64-64 (3x3 same, ReLU), maxpool 2, 12544-128-10"}},
    Network<jiggle::MnistCnnLite<float>>{
        {"cnn-lite-nobn", "conv 1-128, conv 128-128 (3x3 same, ReLU), maxpool 2, global average pooling, 128-10"}},
    Network<jiggle::MnistCnnLiteBn<float>>{
        {"cnn-lite-bn", "[conv 3x3 same, batch norm, ReLU] 1-128, 128-128, maxpool 2, global average pooling, 128-10"}},
    Network<jiggle::CifarCnn<float>>{
        {"cifar-nobn", "conv 3-32, 32-32 (3x3 same, ReLU), maxpool 2, conv 32-64, 64-64, maxpool 2, 4096-512-512-10"}},
    Network<jiggle::CifarCnnBn<float>>{
        {"cifar-bn",
         "[conv 3x3 same, batch norm, ReLU] 3-32, 32-32, maxpool 2, [same] 32-64, 64-64, maxpool 2, "
         "4096-512-512-10"}},
    Network<jiggle::CifarWidthCnn<8, float>>{
        {"width-cifar-f8",
         "[conv 3x3 same, batch norm, ReLU] 3-8, 8-8, maxpool 2, 8-16, 16-16, maxpool 2, 1024-512-10"}},
    Network<jiggle::CifarWidthCnn<16, float>>{
        {"width-cifar-f16",
         "[conv 3x3 same, batch norm, ReLU] 3-16, 16-16, maxpool 2, 16-32, 32-32, "
         "maxpool 2, 2048-512-10"}},
    Network<jiggle::CifarWidthCnn<32, float>>{
        {"width-cifar-f32",
         "[conv 3x3 same, batch norm, ReLU] 3-32, 32-32, maxpool 2, 32-64, 64-64, "
         "maxpool 2, 4096-512-10"}},
    Network<jiggle::CifarWidthCnn<64, float>>{{"width-cifar-f64",
                                               "[conv 3x3 same, batch norm, ReLU] 3-64, 64-64, maxpool 2, 64-128, "
                                               "128-128, maxpool 2, 8192-512-10"}},
};

// Calls function(info) for every network, in order.
template <class Function>
void for_each_network(Function&& function) {
  std::apply([&](const auto&... network) { (function(network.info), ...); }, kNetworks);
}

inline bool is_network(std::string_view name) {
  bool found = false;
  for_each_network([&](const NetworkInfo& info) { found = found || info.name == name; });
  return found;
}

// Returns visit(std::type_identity<Model>{}, info) for the network named `name`.
template <class Visit>
auto with_network(std::string_view name, Visit&& visit) {
  using First = typename std::tuple_element_t<0, std::remove_const_t<decltype(kNetworks)>>::Type;
  using Result = decltype(visit(std::type_identity<First>{}, NetworkInfo{}));
  std::optional<Result> result;
  std::apply(
      [&](const auto&... network) {
        const auto try_one = [&](const auto& candidate) {
          using Model = typename std::remove_cvref_t<decltype(candidate)>::Type;
          if (result || candidate.info.name != name) return;
          result.emplace(visit(std::type_identity<Model>{}, candidate.info));
        };
        (try_one(network), ...);
      },
      kNetworks);
  if (!result) {
    std::string known;
    for_each_network([&](const NetworkInfo& info) { known.append(known.empty() ? "" : ", ").append(info.name); });
    throw jiggle::Error("unknown network '" + std::string(name) + "' (" + known + ")");
  }
  return *std::move(result);
}
