#pragma once
// The networks the MNIST program trains, by name. Each is a compile-time model of the library's
// layers; with_network hands the chosen one's type to a generic function, so the program's code
// exists once and is compiled for each network.
#include <array>
#include <string>
#include <string_view>
#include <type_traits>

#include "jiggle/error.hpp"
#include "jiggle/models/mnist_mlp.hpp"

struct NetworkInfo {
  std::string_view name;
  std::string_view layers;  // what it is, for --list-configs and the run's first line
};

inline constexpr std::array<NetworkInfo, 1> kNetworks{{
    {"mlp", "784-512-512-10, ReLU, softmax cross-entropy"},
}};

// Calls visit(std::type_identity<Model>{}, info) for the network named `name`.
template <class Visit>
decltype(auto) with_network(std::string_view name, Visit&& visit) {
  if (name == kNetworks[0].name) return visit(std::type_identity<jiggle::MnistMlp<float>>{}, kNetworks[0]);
  std::string known;
  for (const auto& network : kNetworks) known.append(known.empty() ? "" : ", ").append(network.name);
  throw jiggle::Error("unknown network '" + std::string(name) + "' (" + known + ")");
}
