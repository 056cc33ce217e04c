package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// requireChromium returns the path of Debian's chromium. Without it the test is skipped, unless
// KWIRE_REQUIRE_BROWSER=1 (as CI sets it), which fails it instead.
func requireChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("KWIRE_REQUIRE_BROWSER") == "1" {
		t.Fatal("chromium is required (KWIRE_REQUIRE_BROWSER=1) but not installed: apt-get install chromium")
	}
	t.Skip("chromium not installed (apt-get install chromium); set KWIRE_REQUIRE_BROWSER=1 to fail instead")
	return ""
}

// buildPlaygroundKwire builds the kwire command from the main module, one directory up, into a temporary
// directory, and returns its path.
func buildPlaygroundKwire(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kwire")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/kwire")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/kwire: %v\n%s", err, out)
	}
	return bin
}

// runKwire runs the kwire binary with stdin in the main module's directory and returns stdout.
func runKwire(t *testing.T, bin, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = ".."
	cmd.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kwire %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// serveSite writes the playground's static site with kwire playground --out and serves it on
// 127.0.0.1, as any web server would; it returns the page's URL.
func serveSite(t *testing.T, bin string) string {
	t.Helper()
	site := filepath.Join(t.TempDir(), "site")
	runKwire(t, bin, "", "playground", "--out", site)
	srv := httptest.NewServer(http.FileServer(http.Dir(site)))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// newBrowser starts headless chromium (without its sandbox: CI runs as root) at 1280×800 and
// returns a context for its first tab.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1280, 800))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// page drives one tab of the playground.
type page struct {
	t   *testing.T
	ctx context.Context
}

// run runs actions, bounded in time, and fails the test on an error.
func (p *page) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression and decodes its value into T.
func eval[T any](p *page, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// load opens url and waits until the program says the page is ready; it returns how long after
// the navigation started the page became interactive, as the page measured it, in milliseconds.
func (p *page) load(url string) float64 {
	p.t.Helper()
	p.run("loading "+url, chromedp.Navigate(url))
	// The poll can start in the document the navigation replaces; it then fails with "Cannot find
	// context", and is tried again in the new one.
	for try := 0; ; try++ {
		ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
		err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`document.body?.dataset.ready === "1"`, chromedp.WithPollingTimeout(30*time.Second)))
		cancel()
		if err == nil {
			break
		}
		if try == 5 || !strings.Contains(err.Error(), "Cannot find context") {
			p.t.Fatalf("waiting for %s to be ready: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var ms float64
	fmt.Sscan(eval[string](p, `document.body.dataset.readyMs`), &ms)
	return ms
}

// set sets the input id to value as a person would, lets the page see the change, and waits
// for the page to update; a value the input already has changes nothing.
func (p *page) set(id, value string) {
	p.t.Helper()
	changed := eval[bool](p, fmt.Sprintf(`(() => {
		const e = document.getElementById(%s), v = %s;
		if (e.type === "checkbox" ? e.checked === (v === "1") : e.value === v) return false;
		window.kwireUpdates = document.body.dataset.updates;
		if (e.type === "checkbox") e.checked = v === "1"; else e.value = v;
		e.dispatchEvent(new Event("input", {bubbles: true}));
		return true;
	})()`, jsString(id), jsString(value)))
	if changed {
		p.waitUpdate()
	}
}

// waitUpdate waits until the page has updated since window.kwireUpdates was noted.
func (p *page) waitUpdate() {
	p.t.Helper()
	p.run("waiting for the page to update",
		chromedp.Poll[chromedp.Void](`document.body.dataset.updates !== window.kwireUpdates`, chromedp.WithPollingTimeout(30*time.Second)))
}

// dumpHex is the bytes the hex dump shows, as lowercase hex without spaces.
func (p *page) dumpHex() string {
	p.t.Helper()
	return eval[string](p, `[...document.querySelectorAll("#hex .hx [data-r]")].map(e => e.textContent.replaceAll(" ", "")).join("")`)
}

// text is the text of the element that selector names.
func (p *page) text(selector string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`document.querySelector(%s)?.textContent ?? ""`, jsString(selector)))
}

// screenshot saves what the browser shows as name in dir.
func (p *page) screenshot(dir, name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// screenshotDir is where the test saves its screenshots: KWIRE_SCREENSHOT_DIR, or a directory of
// the system's temporary one that the log names.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("KWIRE_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "kwire-playground-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}
