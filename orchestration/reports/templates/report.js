/* Filters the detail table in place; marks the document ready so that a headless browser test
   can tell the script ran to its end without error. */
(function () {
  var input = document.getElementById('detail-filter');
  var severity = document.getElementById('detail-severity');
  var counter = document.getElementById('detail-count');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#detail-table tbody tr'));
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
  function apply() {
    var needle = input.value.trim().toLowerCase();
    var wanted = severity.value;
    var shown = 0;
    rows.forEach(function (row, index) {
      var visible = (!needle || texts[index].indexOf(needle) !== -1) &&
        (!wanted || row.getAttribute('data-severity') === wanted);
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    counter.textContent = shown.toLocaleString('en-US') + ' of ' + rows.length.toLocaleString('en-US') +
      ' rows shown';
  }
  input.addEventListener('input', apply);
  severity.addEventListener('change', apply);
  apply();
  document.documentElement.setAttribute('data-ready', 'true');
})();
