#pragma once
// Line charts as SVG text: a row of panels sharing one legend, each a set of named series over
// the same x axis, with a linear or logarithmic y axis. Enough for a training report, with no
// plotting library to install.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
  std::size_t colour = 0;  // an index into the palette, so that two series can share a colour
  bool dashed = false;
};

struct Chart {
  std::string title;
  std::string x_label;
  bool log_y = false;
  std::vector<Series> series;  // every chart of a figure lists the same series, in the same order
};

namespace svg_detail {

inline constexpr double kPanelWidth = 440;
inline constexpr double kPanelHeight = 300;
inline constexpr double kLeft = 64;  // room for the y axis' numbers
inline constexpr double kRight = 16;
inline constexpr double kTop = 40;
inline constexpr double kBottom = 44;
inline constexpr double kLegendLine = 18;
inline constexpr std::string_view kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                                                "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#e7ba52",
                                                "#843c39", "#637939", "#7b4173", "#3182bd"};

inline std::string escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

inline std::string number(double value, const char* format = "%g") {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

inline constexpr std::string_view kDash = " stroke-dasharray='5,3'";

// Appends the parts in turn, with no temporary strings between them. The figures quote their
// attributes with ' so that the markup reads without escapes.
inline void append(std::string& svg, std::initializer_list<std::string_view> parts) {
  for (const std::string_view part : parts) svg += part;
}

inline std::string_view colour(std::size_t index) { return kColours[index % std::size(kColours)]; }

// The span of the values a chart draws (only positive ones on a log axis), widened a little.
struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void include(double value) {
    low = std::min(low, value);
    high = std::max(high, value);
  }
  bool empty() const { return !(low <= high); }
};

inline void panel(std::string& svg, const Chart& chart, double left_edge) {
  Range xs;
  Range ys;
  for (const Series& s : chart.series)
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i]) || (chart.log_y && s.y[i] <= 0)) continue;
      xs.include(s.x[i]);
      ys.include(chart.log_y ? std::log10(s.y[i]) : s.y[i]);
    }
  if (xs.empty()) xs = {0, 1};
  if (ys.empty()) ys = {0, 1};
  if (xs.high == xs.low) xs.high = xs.low + 1;
  if (chart.log_y) {
    ys.low = std::floor(ys.low);
    ys.high = std::max(std::ceil(ys.high), ys.low + 1);
  } else {
    const double pad = ys.high > ys.low ? 0.05 * (ys.high - ys.low) : 0.5;
    ys.low -= pad;
    ys.high += pad;
  }
  const double plot_left = left_edge + kLeft;
  const double plot_width = kPanelWidth - kLeft - kRight;
  const double plot_height = kPanelHeight - kTop - kBottom;
  auto to_x = [&](double x) { return plot_left + (x - xs.low) / (xs.high - xs.low) * plot_width; };
  auto to_y = [&](double y) { return kTop + (ys.high - y) / (ys.high - ys.low) * plot_height; };

  append(svg, {"<text x='", number(left_edge + kPanelWidth / 2), "' y='22' text-anchor='middle' font-weight='bold'>",
               escaped(chart.title), "</text>\n"});
  append(svg, {"<rect x='", number(plot_left), "' y='", number(kTop), "' width='", number(plot_width), "' height='",
               number(plot_height), "' fill='none' stroke='#444'/>\n"});
  // y ticks: each decade on a log axis, else five even steps.
  std::vector<double> ticks;
  if (chart.log_y)
    for (double d = ys.low; d <= ys.high + 1e-9; d += 1) ticks.push_back(d);
  else
    for (int i = 0; i <= 4; ++i) ticks.push_back(ys.low + (ys.high - ys.low) * i / 4.0);
  for (const double t : ticks) {
    const std::string y = number(to_y(t));
    append(svg, {"<line x1='", number(plot_left), "' y1='", y, "' x2='", number(plot_left + plot_width), "' y2='", y,
                 "' stroke='#ddd'/>\n"});
    const std::string text = chart.log_y ? "1e" + number(t, "%.0f") : number(t, "%.4g");
    append(svg, {"<text x='", number(plot_left - 6), "' y='", y, "' dy='4' text-anchor='end'>", text, "</text>\n"});
  }
  // x ticks at whole numbers, at most about ten of them.
  const double step = std::max(1.0, std::ceil((xs.high - xs.low) / 10.0));
  for (double x = std::ceil(xs.low); x <= xs.high + 1e-9; x += step)
    append(svg, {"<text x='", number(to_x(x)), "' y='", number(kTop + plot_height + 16), "' text-anchor='middle'>",
                 number(x), "</text>\n"});
  append(svg, {"<text x='", number(plot_left + plot_width / 2), "' y='", number(kPanelHeight - 8),
               "' text-anchor='middle'>", escaped(chart.x_label), "</text>\n"});
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const Series& s = chart.series[k];
    std::string points;
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i]) || (chart.log_y && s.y[i] <= 0)) continue;
      const double y = chart.log_y ? std::log10(s.y[i]) : s.y[i];
      append(points, {number(to_x(s.x[i]), "%.1f"), ",", number(to_y(y), "%.1f"), " "});
    }
    if (points.empty()) continue;
    append(svg, {"<polyline fill='none' stroke-width='1.6' stroke='", colour(s.colour), "'", s.dashed ? kDash : "",
                 " points='", points, "'/>\n"});
  }
}

}  // namespace svg_detail

// The charts side by side, then one legend line per series.
inline std::string svg_figure(const std::vector<Chart>& charts) {
  using namespace svg_detail;
  const std::size_t series = charts.empty() ? 0 : charts.front().series.size();
  const double width = kPanelWidth * static_cast<double>(std::max<std::size_t>(charts.size(), 1));
  const double height = kPanelHeight + 12 + kLegendLine * static_cast<double>(series);
  std::string svg;
  append(svg, {"<svg xmlns='http://www.w3.org/2000/svg' width='", number(width), "' height='", number(height),
               "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n"});
  for (std::size_t c = 0; c < charts.size(); ++c) panel(svg, charts[c], kPanelWidth * static_cast<double>(c));
  for (std::size_t k = 0; k < series; ++k) {
    const std::string y = number(kPanelHeight + 12 + kLegendLine * static_cast<double>(k));
    const Series& s = charts.front().series[k];
    append(svg, {"<line x1='", number(kLeft), "' y1='", y, "' x2='", number(kLeft + 24), "' y2='", y,
                 "' stroke-width='3' stroke='", colour(s.colour), "'", s.dashed ? kDash : "", "/>\n"});
    append(svg, {"<text x='", number(kLeft + 30), "' y='", y, "' dy='4'>", escaped(s.name), "</text>\n"});
  }
  svg += "</svg>\n";
  return svg;
}
