// Keeps the donation form honest as the donor chooses: the presets follow the currency, and the
// submit button says exactly what will be charged ("Give €77.25 every month"). The words come
// from the portal itself (/donate/<slug>/quote), so the button, the server and Checkout agree.
// Without script the form still works: the server shows the total and asks once to confirm.
(function () {
  "use strict";
  var form = document.querySelector("form.donate-form");
  var currency = document.getElementById("currency");
  var grid = document.querySelector("[data-presets]");
  var hint = document.getElementById("currency-hint");
  var button = document.getElementById("give-button");
  var shown = document.getElementById("shown_total");
  var feeHint = document.getElementById("fee-hint");
  if (!form || !currency || !grid || !button || !shown || !window.fetch) return;
  var presets = JSON.parse(grid.getAttribute("data-presets"));
  var timer = null;
  var asked = 0;
  var pending = null;

  function followCurrency() {
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
  }

  function choices() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && name !== "attempt" && name !== "shown_total") {
        params.append(name, value);
      }
    });
    return params;
  }

  function requote() {
    // Until the answer comes, the old total must not be submitted as if it were seen.
    shown.value = "";
    var mine = ++asked;
    pending = fetch(button.dataset.quote + "?" + choices().toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (quote) {
        if (!quote || mine !== asked) return;
        button.textContent = quote.button;
        shown.value = quote.shown_total;
        if (feeHint && quote.fee_hint) feeHint.textContent = quote.fee_hint;
      })
      .catch(function () {
        /* the server will show the total and ask to confirm */
      });
  }

  function keepAmountsApart(target) {
    // A typed amount means "other"; picking a preset again means the typed one is dropped.
    var other = grid.parentElement.querySelector("input[type=radio][value=other]");
    var typed = document.getElementById("other_amount");
    if (target === typed && typed.value.trim() && other) other.checked = true;
    if (target.type === "radio" && target.name === "preset" && target !== other && typed) {
      typed.value = "";
    }
  }

  function changed(event) {
    if (event.target === currency) followCurrency();
    keepAmountsApart(event.target);
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      timer = null;
      requote();
    }, event.type === "input" ? 250 : 0);
  }

  form.addEventListener("submit", function (event) {
    // Submitted while the button's words were being brought up to date: finish that first,
    // so the server sees the total the button now shows instead of asking to confirm it.
    if (timer !== null || (pending && !shown.value)) {
      event.preventDefault();
      window.clearTimeout(timer);
      timer = null;
      requote();
      pending.then(function () {
        form.submit();
      });
    }
  });
  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
})();
