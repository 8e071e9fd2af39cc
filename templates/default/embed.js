/* storyboard's embed page: tells the page that embeds it how tall it is.
   WordPress's wp-embed.js (on the host page) put a secret in this frame's URL
   (#?secret=...) and sizes the iframe from messages that carry it; links to the
   story's own site are handed to the host page too, which opens them on top. */
(function () {
  'use strict';
  var match = /[#&?]secret=([A-Za-z0-9]+)/.exec(window.location.hash);
  if (!match || window.parent === window) {
    return;
  }
  var secret = match[1];
  var sent = 0;
  function send(message, value) {
    window.parent.postMessage({ message: message, value: value, secret: secret }, '*');
  }
  function sendHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== sent) {
      sent = height;
      send('height', height);
    }
  }
  window.addEventListener('load', sendHeight);
  if (window.ResizeObserver) {
    new ResizeObserver(sendHeight).observe(document.documentElement);
  } else {
    window.addEventListener('resize', sendHeight);
  }
  document.addEventListener('click', function (event) {
    var link = event.target.closest ? event.target.closest('a[href]') : null;
    if (!link) {
      return;
    }
    send('link', link.href);
    // A sandboxed frame may not open its links on top; wp-embed.js does it for the
    // story's own site. Other links open in the frame, as the browser decides.
    if (link.host === window.location.host) {
      event.preventDefault();
    }
  });
})();
