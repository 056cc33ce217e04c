//go:build js && wasm

package main

import (
	"syscall/js"

	"honnef.co/go/js/dom/v2"
)

// element wraps v as dom's HTML element without the constructor checks of dom.WrapHTMLElement,
// which cost dozens of calls into JavaScript per element: the page looks elements up on every
// keystroke and every mouse move. It is nil for null.
func element(v js.Value) *dom.BasicHTMLElement {
	if v.IsNull() || v.IsUndefined() {
		return nil
	}
	return &dom.BasicHTMLElement{BasicElement: &dom.BasicElement{BasicNode: &dom.BasicNode{Value: v}}}
}

// formInput wraps the input, text area or select v as the dom type its tag calls for.
func formInput(v js.Value) dom.Element {
	el := element(v)
	switch v.Get("tagName").String() {
	case "TEXTAREA":
		return &dom.HTMLTextAreaElement{BasicHTMLElement: el}
	case "SELECT":
		return &dom.HTMLSelectElement{BasicHTMLElement: el}
	}
	return &dom.HTMLInputElement{BasicHTMLElement: el}
}

// target is the element an event happened on.
func target(e *dom.BasicEvent) *dom.BasicHTMLElement {
	return element(e.Get("target"))
}

// listen calls fn with every event of type typ at on (an element, the document or the window).
// It is dom's AddEventListener without its wrapEvent, which tells an event's type by comparing
// its constructor with every event class, dozens of calls into JavaScript an event; handlers
// know what they listen to.
func listen(on js.Value, typ string, fn func(e *dom.BasicEvent)) {
	on.Call("addEventListener", typ, js.FuncOf(func(_ js.Value, args []js.Value) any {
		fn(&dom.BasicEvent{Value: args[0]})
		return nil
	}))
}

// key is the key a keyboard event names, e.g. "ArrowDown".
func key(e *dom.BasicEvent) string {
	return (&dom.KeyboardEvent{BasicEvent: e}).Key()
}

// closest is the nearest element at or above el that matches selector, or nil.
func closest(el *dom.BasicHTMLElement, selector string) *dom.BasicHTMLElement {
	if el == nil || el.Get("closest").IsUndefined() {
		return nil
	}
	return element(el.Call("closest", selector))
}
