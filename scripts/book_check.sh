#!/usr/bin/env bash
# Builds the book and checks it in a real browser: headless Chromium opens every page of target/book/ (served on
# localhost), waits for its images and fails if one did not load or if a link points to a page or heading that is
# not there; then it takes screenshots of a few pages into target/book-check/. It first shows that the check can
# fail: a page with a broken image, link and anchor must be reported three times.
#
#   scripts/book_check.sh
#
# Needs mdbook (`cargo install mdbook`), chromium (`apt-get install -y chromium`) and python3 (the local server).
# CI does not run it: oxldb/tests/docs_test.rs checks the same links and images in the Markdown, without either.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v mdbook > /dev/null || { echo "book_check: mdbook is missing: cargo install mdbook" >&2; exit 2; }
command -v chromium > /dev/null || { echo "book_check: chromium is missing: apt-get install -y chromium" >&2; exit 2; }

mdbook build > /dev/null
book=target/book
shots=target/book-check
rm -rf "$shots"
mkdir -p "$shots"

# The checker: loads each page named in its query string into a frame and reports what is broken.
cat > "$book/book-check.html" <<'HTML'
<!DOCTYPE html>
<html><body><pre id="result">BOOK-CHECK running</pre>
<script>
const texts = {};
async function text(url) {
  if (!(url in texts)) {
    const response = await fetch(url);
    texts[url] = response.ok ? await response.text() : null;
  }
  return texts[url];
}
async function check(page, problems, counts) {
  const frame = document.createElement('iframe');
  frame.style.width = '1280px';
  document.body.appendChild(frame);
  await new Promise(resolve => { frame.onload = resolve; frame.src = page; });
  const doc = frame.contentDocument;
  if (!doc.querySelector('main')) problems.push(`${page}: no page`);
  const images = [...doc.querySelectorAll('img')];
  await Promise.all(images.map(img => img.complete ? null
    : new Promise(resolve => { img.onload = img.onerror = resolve; })));
  for (const img of images) {
    counts.images++;
    if (img.naturalWidth === 0) problems.push(`${page}: broken image ${img.getAttribute('src')}`);
  }
  for (const a of doc.querySelectorAll('main a[href]')) {
    const href = a.getAttribute('href');
    if (/^[a-z]+:/.test(href)) continue; // another site's
    counts.links++;
    const url = new URL(href, frame.contentWindow.location.href);
    const body = await text(url.href.split('#')[0]);
    if (body === null) { problems.push(`${page}: broken link ${href}`); continue; }
    if (url.hash) {
      const id = decodeURIComponent(url.hash.slice(1));
      if (!new DOMParser().parseFromString(body, 'text/html').getElementById(id)) {
        problems.push(`${page}: broken anchor ${href}`);
      }
    }
  }
  frame.remove();
}
(async () => {
  const pages = new URLSearchParams(location.search).get('pages').split(',');
  const problems = [], counts = { images: 0, links: 0 };
  for (const page of pages) await check(page, problems, counts);
  document.getElementById('result').textContent =
    `BOOK-CHECK done: ${pages.length} pages, ${counts.links} links, ${counts.images} images, ` +
    `${problems.length} problems\n` + problems.join('\n');
})();
</script></body></html>
HTML
cat > "$book/book-check-broken.html" <<'HTML'
<!DOCTYPE html>
<html><body><main>
<img src="figures/no-such-figure.svg" alt="missing">
<a href="no-such-page.html">missing page</a>
<a href="index.html#no-such-heading">missing heading</a>
<a href="index.html">a page that is there</a>
</main></body></html>
HTML

port=$((20000 + RANDOM % 20000))
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$book" > /dev/null 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null; rm -f "$book/book-check.html" "$book/book-check-broken.html"' EXIT
for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2> /dev/null && break
    sleep 0.1
done

browser() { chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "$@" 2> /dev/null; }
# The checker's verdict: the text of its result, once every page is checked.
run_check() {
    browser --virtual-time-budget=60000 --dump-dom "http://127.0.0.1:$port/book-check.html?pages=$1" \
        | python3 -c 'import html, re, sys; m = re.search(r"<pre id=\"result\">(.*?)</pre>", sys.stdin.read(), re.S); print(html.unescape(m.group(1)) if m else "BOOK-CHECK no result")'
}

# The check can fail.
verdict="$(run_check book-check-broken.html)"
echo "$verdict" | grep -q "3 problems" || { echo "book_check: the broken page was not caught:"; echo "$verdict"; exit 1; } >&2

# Every page of the book.
pages="$(cd "$book" && ls ./*.html | sed 's|^\./||' | grep -v -e '^book-check' -e '^404.html$' -e '^print.html$' -e '^toc.html$' | paste -sd, -)"
verdict="$(run_check "$pages")"
echo "$verdict"
echo "$verdict" | grep -q "^BOOK-CHECK done: .* 0 problems$" || { echo "book_check: the book has problems" >&2; exit 1; }

# Screenshots: the first page, the write path, and the three chapters with figures (tall enough to show them).
shot() { # PAGE HEIGHT
    browser --window-size="1280,$2" --screenshot="$shots/${1%.html}.png" "http://127.0.0.1:$port/$1" > /dev/null
    size=$(stat -c %s "$shots/${1%.html}.png")
    [ "$size" -gt 20000 ] || { echo "book_check: the screenshot of $1 is $size bytes: nothing rendered?" >&2; exit 1; }
    echo "screenshot $shots/${1%.html}.png: $size bytes (1280x$2)"
}
shot index.html 900
shot 01-write-path.html 900
shot 03-sstables.html 2000
shot 04-manifest-and-recovery.html 4200
shot 05-compaction.html 2400
