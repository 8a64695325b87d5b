/* Draws the dashboard's charts from the JSON the page carries (no requests of its own). */
(function () {
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var color = ['#b71c1c', '#1565c0', '#2e7d32', '#f9a825', '#6a1b9a', '#00838f', '#795548'];
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var c = echarts.init(el, null, {renderer: 'svg'});
    option.color = color;
    option.animation = false;
    c.setOption(option);
    window.addEventListener('resize', function () { c.resize(); });
  }
  function bars(id, d, horizontal) {
    var cat = {type: 'category', data: d.names, axisLabel: {interval: 0, rotate: horizontal ? 0 : 30}};
    var val = {type: 'value', minInterval: 1};
    chart(id, {tooltip: {}, grid: {left: horizontal ? 110 : 40, right: 20, bottom: 60, top: 20},
      xAxis: horizontal ? val : cat, yAxis: horizontal ? cat : val,
      series: [{type: 'bar', data: d.values, label: {show: true, position: horizontal ? 'right' : 'top'}}]});
  }
  chart('chart-kinds', {tooltip: {trigger: 'item'}, legend: {bottom: 0},
    series: [{type: 'pie', radius: ['35%', '65%'], data: data.kinds, label: {formatter: '{b}\n{c}'}}]});
  chart('chart-weeks', {tooltip: {trigger: 'axis'}, grid: {left: 40, right: 20, bottom: 60, top: 20},
    xAxis: {type: 'category', data: data.weeks.names, axisLabel: {rotate: 30}}, yAxis: {type: 'value', minInterval: 1},
    series: [{type: 'line', data: data.weeks.values, areaStyle: {}}]});
  bars('chart-villages', data.villages, true);
  bars('chart-escalations', data.escalations, false);
  bars('chart-wishes', data.wishes, false);
  document.body.setAttribute('data-charts', 'ready');
})();
