// Keeps the amount presets in step with the chosen currency. Without it the form still works:
// the server reads every amount in the currency submitted.
(function () {
  "use strict";
  var currency = document.getElementById("currency");
  var grid = document.querySelector("[data-presets]");
  var hint = document.getElementById("currency-hint");
  if (!currency || !grid) return;
  var presets = JSON.parse(grid.getAttribute("data-presets"));
  currency.addEventListener("change", function () {
    var options = presets[currency.value];
    if (!options) return;
    var radios = grid.querySelectorAll("input[type=radio]:not([value=other])");
    radios.forEach(function (radio, index) {
      if (!options[index]) return;
      radio.value = options[index][0];
      var label = radio.parentElement.querySelector("span");
      if (label) label.textContent = options[index][1];
    });
    if (hint && hint.dataset.template) {
      hint.textContent = hint.dataset.template.replace("__CODE__", currency.value);
    }
  });
})();
