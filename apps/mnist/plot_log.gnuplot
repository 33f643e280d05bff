# Renders a `mnist --log FILE` CSV (epoch,train_loss,test_accuracy,seconds[,test_accuracy_9984]) as an SVG:
# training loss per epoch on a log scale, and test accuracy per epoch.
#   gnuplot -e "log='run.csv'; out='run.svg'" apps/mnist/plot_log.gnuplot
if (!exists("log")) log = 'run.csv'
if (!exists("out")) out = 'run.svg'
if (!exists("title")) title = log

set terminal svg size 900,380 dynamic font "sans,12" background rgb "white"
set output out
set termoption noenhanced
set datafile separator ","
set key off
set grid lc rgb "#dddddd"
set multiplot layout 1,2 title title

set title "training loss"
set xlabel "epoch"
set logscale y
set format y "%g"
plot log using 1:2 skip 1 with linespoints lw 2 pt 7 ps 0.6 lc rgb "#1f77b4"

set title "test accuracy (%)"
unset logscale y
set format y "%.1f"
plot log using 1:($3*100) skip 1 with linespoints lw 2 pt 7 ps 0.6 lc rgb "#d62728"

unset multiplot
