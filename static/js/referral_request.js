// Request form: show the colleague fields only for "a colleague", the free-text fields only when
// the colleague is not on the list, and the crisis resources at once for "urgent: safety".
(function () {
  "use strict";
  var form = document.getElementById("referral-request-form");
  if (!form) return;

  function checked(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  function show(element, visible) {
    if (element) element.hidden = !visible;
  }

  function update() {
    var forColleague = checked("for_whom") === "colleague";
    show(document.getElementById("colleague-fields"), forColleague);
    show(document.getElementById("referrer-consent"), forColleague);
    var notListed = form.querySelector('input[name="colleague_not_listed"]');
    show(document.getElementById("colleague-free-text"), Boolean(notListed && notListed.checked));
    show(document.getElementById("crisis-now"), checked("urgency") === "safety");
  }

  form.addEventListener("change", update);
  update();
})();
