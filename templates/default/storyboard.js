(function () {
  "use strict";
  /* Click-to-load players: nothing is requested from a provider until the reader asks. */
  var hosts = {{ story.player_hosts | tojson }};
  function load(button) {
    var url;
    try { url = new URL(button.getAttribute("data-sb-player")); } catch (e) { return; }
    if (url.protocol !== "https:" || hosts.indexOf(url.hostname) < 0) { return; }
    var frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = button.getAttribute("data-sb-title") || "";
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-presentation");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.setAttribute("allow", "fullscreen; encrypted-media; picture-in-picture");
    frame.setAttribute("allowfullscreen", "");
    var w = +button.getAttribute("data-sb-width"), h = +button.getAttribute("data-sb-height");
    if (w > 0 && h > 0) { frame.style.aspectRatio = w + " / " + h; }
    var box = document.createElement("div");
    box.className = "sb-frame";
    box.appendChild(frame);
    var loader = button.closest(".sb-loader") || button;
    var card = button.closest(".sb-card");
    var media = card && card.querySelector(".sb-media");
    if (media) { media.replaceWith(box); } else { loader.before(box); }
    loader.remove();
    frame.focus();
  }
  /* A fragment's script serves its own fragment only: a blog post may hold several. */
  var here = document.currentScript;
  var root = (here && here.closest(".storyboard")) || document;
  var buttons = root.querySelectorAll(".sb-loader button[data-sb-player]:not([data-sb-ready])");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].setAttribute("data-sb-ready", "");
    buttons[i].addEventListener("click", function (event) { load(event.currentTarget); });
    buttons[i].closest(".sb-loader").hidden = false;
  }
})();
