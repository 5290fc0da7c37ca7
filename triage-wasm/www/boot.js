// Starts the page, or says why it cannot start. A classic script (not a
// module), so that it runs even where module scripts cannot load: a page
// opened as a file (file://) cannot load modules or fetch its .wasm and
// bundle.triage, and would otherwise show "Loading…" for ever.
'use strict';

(function boot() {
  var SERVE_FOLDER = 'triage-wasm/site';

  /** The folder of this page on disk, for a page opened as a file. */
  function pageFolder() {
    var path = decodeURIComponent(location.pathname);
    path = path.slice(0, path.lastIndexOf('/') + 1) || '/';
    // file:///C:/Users/... on Windows
    if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
    return path;
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (text) made.textContent = text;
    return made;
  }

  /** Replaces the page content with a message: a heading, paragraphs, and a command to run. */
  function showProblem(heading, paragraphs, command) {
    var app = document.getElementById('app');
    var h1 = element('h1', null, heading);
    h1.setAttribute('tabindex', '-1');
    var parts = [h1];
    paragraphs.forEach(function (text) { parts.push(element('p', null, text)); });
    if (command) {
      var pre = element('pre', 'command');
      pre.appendChild(element('code', null, command));
      parts.push(pre);
      parts.push(element('p', null, 'Then open http://localhost:8000/ in your browser.'));
    }
    app.replaceChildren.apply(app, parts);
    document.title = heading + ' – Check your symptoms – triage demo';
    document.body.dataset.problem = 'true';
    h1.focus();
  }

  if (location.protocol === 'file:') {
    showProblem('This page needs to be served, not opened as a file', [
      'A browser does not let a page opened from a file load the symptom checker. ' +
        'Serve the folder this page is in with a small web server, for example with Python:',
    ], 'python3 -m http.server 8000 --directory ' + JSON.stringify(pageFolder()));
    return;
  }

  var script = document.createElement('script');
  script.type = 'module';
  script.src = 'app.js';
  script.addEventListener('error', function () {
    showProblem('Sorry, there is a problem with this page', [
      'The symptom checker could not load its files. Try again later. ' +
        'If you need help now, call 111, or 999 in an emergency.',
      'If you run this page yourself: build it with scripts/build-wasm.sh and serve the ' +
        SERVE_FOLDER + ' folder:',
    ], 'python3 -m http.server 8000 --directory ' + SERVE_FOLDER);
  });
  document.head.appendChild(script);
  window.triageShowProblem = showProblem;
}());
