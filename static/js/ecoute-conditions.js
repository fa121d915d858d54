/* Conditional questions, live: a question whose condition depends on an answer on the same page
   is hidden until that answer meets it. A progressive enhancement: without JavaScript the
   question stays visible with a hint saying when to answer it, and the server drops its answer
   if the condition is not met (the server decides, always). No inline handler (strict CSP). */
(function () {
  "use strict";

  var form = document.querySelector("form[data-conditions]");
  if (!form) {
    return;
  }
  var dependents = form.querySelectorAll("[data-condition-source]");
  if (!dependents.length) {
    return;
  }

  function normalise(text) {
    return String(text || "").trim().replace(/\s+/g, " ").toLowerCase();
  }

  function same(a, b) {
    var x = parseFloat(String(a).replace(",", "."));
    var y = parseFloat(String(b).replace(",", "."));
    if (!isNaN(x) && !isNaN(y) && /^[\d.,\s-]+$/.test(a) && /^[\d.,\s-]+$/.test(b)) {
      return x === y;
    }
    return normalise(a) === normalise(b);
  }

  // What the source question holds now: {choice: bool, values: [...]}.
  function answerOf(name) {
    var values = [];
    var choice = false;
    form.querySelectorAll("[name='" + name + "'], [name^='" + name + "_r']").forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        choice = true;
        if (input.checked) {
          values.push(input.type === "checkbox" && input.name === name && input.value === "on" ? "1" : input.value);
        }
      } else if (input.tagName === "SELECT") {
        choice = true;
        if (input.value) {
          // a ranking's select is named <question>_r<option>: the option counts as chosen
          values.push(input.name === name ? input.value : input.name.slice(name.length + 2));
        }
      } else if (input.value.trim()) {
        values.push(input.value);
      }
    });
    var other = form.querySelector("[name='" + name + "_autre']");
    if (other && other.value.trim()) {
      values.push(other.value);
    }
    return { choice: choice, values: values };
  }

  function isShown(element) {
    return !element.closest("[hidden]");
  }

  function met(dependent) {
    var sourceName = dependent.dataset.conditionSource;
    var source = form.querySelector("[name='" + sourceName + "'], [name^='" + sourceName + "_r']");
    if (source && !isShown(source)) {
      return false; // its source is hidden itself
    }
    var answer = answerOf(sourceName);
    if (!answer.values.length) {
      return false;
    }
    var operator = dependent.dataset.conditionOperator;
    var expected = dependent.dataset.conditionValue;
    if (operator === "answered") {
      return true;
    }
    if (operator === "equals") {
      return answer.values.length === 1 && same(answer.values[0], expected);
    }
    if (answer.choice) {
      return answer.values.some(function (value) { return same(value, expected); });
    }
    return normalise(answer.values.join(" ")).indexOf(normalise(expected)) !== -1;
  }

  // The numbers follow what is shown: a hidden question leaves no gap (1, 2, 3, not 1, 3).
  var numbers = form.querySelectorAll(".question-number");
  var first = numbers.length ? parseInt(numbers[0].textContent, 10) : NaN;

  function renumber() {
    if (isNaN(first)) {
      return;
    }
    var next = first;
    numbers.forEach(function (number) {
      if (isShown(number)) {
        number.textContent = String(next);
        next += 1;
      }
    });
  }

  function update() {
    // In document order, so that a chain of conditions settles in one pass.
    dependents.forEach(function (dependent) {
      dependent.hidden = !met(dependent);
    });
    renumber();
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
