/* Sentinella: a select with many options (beneficiaries, comuni: about 1,190) becomes a searchable,
 * keyboard-accessible field (Bootstrap Italia's SelectAutocomplete, accessible-autocomplete inside,
 * served with the bundle): type part of a name, move with the arrows, Enter chooses. The select stays
 * in the form, hidden, and is what is sent; without JavaScript it is a plain select. */
(function () {
  "use strict";
  if (!window.bootstrap || !window.bootstrap.SelectAutocomplete) {
    return;
  }
  var italian = (document.documentElement.lang || "it").indexOf("it") === 0;
  var say = function (it, en) { return italian ? it : en; };
  document.querySelectorAll("select[data-autocomplete]").forEach(function (select) {
    var options = [].filter.call(select.options, function (o) { return o.value; });
    var chosen = select.options[select.selectedIndex];
    var inputId = select.id + "-search";
    var container = document.createElement("div");
    select.parentNode.insertBefore(container, select);
    select.classList.add("d-none");
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label) {
      label.htmlFor = inputId;
    }
    new window.bootstrap.SelectAutocomplete(container, {
      id: inputId,
      source: options.map(function (o) { return o.text; }),
      defaultValue: chosen && chosen.value ? chosen.text : "",
      minLength: 2,
      onConfirm: function (text) {
        var match = options.filter(function (o) { return o.text === text; })[0];
        if (match) {
          select.value = match.value;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      },
      tNoResults: function () { return say("Nessun risultato", "No results"); },
      tStatusQueryTooShort: function (n) {
        return say("Scrivi almeno " + n + " caratteri", "Type at least " + n + " characters");
      },
      tStatusNoResults: function () { return say("Nessun risultato", "No results"); },
      tStatusSelectedOption: function (option, length, index) {
        return option + " " + (index + 1) + say(" di ", " of ") + length;
      },
      tStatusResults: function (length, contentSelectedOption) {
        return length + say(" risultati. ", " results. ") + contentSelectedOption;
      },
      tAssistiveHint: function () {
        return say(
          "Scrivi parte del nome, poi usa le frecce su e giù e premi Invio per scegliere.",
          "Type part of the name, then use the up and down arrows and press Enter to choose."
        );
      }
    });
  });
})();
