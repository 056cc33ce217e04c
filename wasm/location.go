//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/kwire-dev/kwire/wasm/explorer"
)

// writeLocation puts the form in the URL's fragment, replacing the history entry rather than
// adding one per keystroke, so that the address is always a link to what the page shows.
func (a *app) writeLocation() {
	loc := js.Global().Get("location")
	want := "#" + a.form.Fragment()
	if want == "#" {
		want = loc.Get("pathname").String() + loc.Get("search").String()
		if loc.Get("hash").String() == "" {
			return
		}
	} else if loc.Get("hash").String() == want {
		return
	}
	js.Global().Get("history").Call("replaceState", js.Null(), "", want)
}

// onHashChange loads a link pasted or followed within the page.
func (a *app) onHashChange() {
	hash := js.Global().Get("location").Get("hash").String()
	if hash == "#"+a.form.Fragment() {
		return
	}
	form, err := explorer.ParseFragment(hash)
	a.form = form
	a.open = map[string]bool{}
	a.showAll = map[int]bool{}
	a.writeInputs()
	a.update()
	if err != nil {
		a.showError(&explorer.InputError{Message: err.Error(), Start: -1})
	}
}
