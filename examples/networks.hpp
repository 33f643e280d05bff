#pragma once
// The networks the MNIST program trains, by name. Each is a compile-time model of the library's
// layers; with_network hands the chosen one's type to a generic function, so the program's code
// exists once and is compiled for each network.
#include <array>
#include <string>
#include <string_view>
#include <type_traits>

#include "jiggle/error.hpp"
#include "jiggle/models/mnist_cnn.hpp"
#include "jiggle/models/mnist_mlp.hpp"

struct NetworkInfo {
  std::string_view name;
  std::string_view layers;  // what it is, for --list-configs and the run's first line
};

inline constexpr std::array<NetworkInfo, 5> kNetworks{{
    {"mlp", "784-512-512-10, ReLU, softmax cross-entropy"},
    {"cnn-nobn", "conv 1-32, conv 32-32 (3x3 same, ReLU), maxpool 2, 6272-512-512-10"},
    {"cnn-bn", "[conv 3x3 same, batch norm, ReLU] 1-32, 32-32, maxpool 2, [same] 32-64, 64-64, maxpool 2, 3136-512-10"},
    {"width-cnn-f8", "conv 1-8, conv 8-8 (3x3 same, ReLU), maxpool 2, 1568-128-10"},
    {"width-cnn-f64", "conv 1-64, conv 64-64 (3x3 same, ReLU), maxpool 2, 12544-128-10"},
}};

// Calls visit(std::type_identity<Model>{}, info) for the network named `name`.
template <class Visit>
decltype(auto) with_network(std::string_view name, Visit&& visit) {
  if (name == kNetworks[0].name) return visit(std::type_identity<jiggle::MnistMlp<float>>{}, kNetworks[0]);
  if (name == kNetworks[1].name) return visit(std::type_identity<jiggle::MnistCnn<float>>{}, kNetworks[1]);
  if (name == kNetworks[2].name) return visit(std::type_identity<jiggle::MnistCnnBn<float>>{}, kNetworks[2]);
  if (name == kNetworks[3].name) return visit(std::type_identity<jiggle::MnistWidthCnn<8, float>>{}, kNetworks[3]);
  if (name == kNetworks[4].name) return visit(std::type_identity<jiggle::MnistWidthCnn<64, float>>{}, kNetworks[4]);
  std::string known;
  for (const auto& network : kNetworks) known.append(known.empty() ? "" : ", ").append(network.name);
  throw jiggle::Error("unknown network '" + std::string(name) + "' (" + known + ")");
}
