//go:build js && wasm

package main

import (
	"fmt"
	"html"
	"strings"

	"honnef.co/go/js/dom/v2"

	"github.com/kwire-dev/kwire/wasm/explorer"
	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/protocol"
)

// fillChoices lists the codecs and Produce versions kwire implements in their selects.
func (a *app) fillChoices() {
	var codecs, versions strings.Builder
	for _, c := range wire.Codecs {
		fmt.Fprintf(&codecs, `<option value="%s">%s</option>`, c, c)
	}
	for v := protocol.ProduceVersions.Max; v >= protocol.ProduceVersions.Min; v-- {
		flex := ""
		if protocol.KeyProduce.Flexible(v) {
			flex = " (flexible)"
		}
		fmt.Fprintf(&versions, `<option value="%d">v%d%s</option>`, v, v, flex)
	}
	a.el(explorer.KeyCompression).SetInnerHTML(codecs.String())
	a.el(explorer.KeySimCompression).SetInnerHTML(codecs.String())
	a.el(explorer.KeyProduceVersion).SetInnerHTML(versions.String())
	a.fillFaults()
}

// readInputs copies the inputs' values into the form and reports whether any changed.
func (a *app) readInputs() bool {
	changed := false
	for k, el := range a.inputs {
		v := inputValue(el)
		if a.form.Get(k) != v {
			a.form[k] = v
			changed = true
		}
	}
	if changed {
		a.syncDisabled()
	}
	return changed
}

// inputValue is the value of an input as the form keeps it: "1" or "" for a check box.
func inputValue(el dom.Element) string {
	switch e := el.(type) {
	case *dom.HTMLInputElement:
		if e.Type() == "checkbox" {
			if e.Checked() {
				return "1"
			}
			return ""
		}
		return e.Value()
	case *dom.HTMLTextAreaElement:
		return e.Value()
	case *dom.HTMLSelectElement:
		return e.Value()
	}
	return ""
}

// writeInputs sets every input from the form, and the mode's tab and panel.
func (a *app) writeInputs() {
	for k, el := range a.inputs {
		v := a.form.Get(k)
		switch e := el.(type) {
		case *dom.HTMLInputElement:
			if e.Type() == "checkbox" {
				e.SetChecked(v == "1")
			} else {
				e.SetValue(v)
			}
		case *dom.HTMLTextAreaElement:
			e.SetValue(v)
		case *dom.HTMLSelectElement:
			e.SetValue(v)
		}
	}
	a.syncDisabled()
	a.showMode()
}

// syncDisabled disables the inputs the other settings make irrelevant.
func (a *app) syncDisabled() {
	idempotent := a.form.Checked(explorer.KeyIdempotent)
	version, _ := a.form.Int(explorer.KeyProduceVersion, 16)
	for k, off := range map[string]bool{
		explorer.KeyProducerID:      !idempotent,
		explorer.KeyProducerEpoch:   !idempotent,
		explorer.KeyBaseSequence:    !idempotent,
		explorer.KeyTransactionalID: !a.form.Checked(explorer.KeyTransactional),
		explorer.KeyTopic:           version >= 13,
		explorer.KeyTopicID:         version < 13,
		explorer.KeySimFaultTimes:   !simFault(a.form).Repeats(),
	} {
		if e, ok := a.inputs[k].(*dom.HTMLInputElement); ok {
			e.SetDisabled(off)
		}
	}
}

// modeTab is a mode with the ids of its tab and panel.
type modeTab struct{ mode, tab, panel string }

// modeTabs are the modes, in the order the tab list shows them.
var modeTabs = []modeTab{
	{explorer.ModeExplore, "tab-explore", "explore-panel"},
	{explorer.ModeDecode, "tab-decode", "decode-panel"},
	{explorer.ModeSimulate, "tab-simulate", "sim-panel"},
}

// showMode shows the mode's tab as selected and its panel, and the outputs that belong to it.
func (a *app) showMode() {
	mode := a.form.Get(explorer.KeyMode)
	for _, t := range modeTabs {
		on := t.mode == mode
		tab := a.el(t.tab)
		tab.SetAttribute("aria-selected", fmt.Sprint(on))
		tab.SetAttribute("tabindex", map[bool]string{true: "0", false: "-1"}[on])
		setHidden(a.el(t.panel), !on)
	}
	decode, simulate := mode == explorer.ModeDecode, mode == explorer.ModeSimulate
	setHidden(a.el("output"), simulate)
	setHidden(a.el("sim-output"), !simulate)
	setHidden(a.el("sizes-section"), decode)
	setHidden(a.el("show"), decode)
	setHidden(element(a.jsDoc.Call("querySelector", `label[for="show"]`)), decode)
}

// setHidden sets or clears el's hidden attribute.
func setHidden(el *dom.BasicHTMLElement, hidden bool) {
	if hidden {
		el.SetAttribute("hidden", "")
	} else {
		el.RemoveAttribute("hidden")
	}
}

// showError shows err, an input that cannot be used, and marks the input; nil clears it. For
// an error in a text area it offers to select the text at fault. After a dissection that stopped,
// it says where, with a button that selects the field.
func (a *app) showError(err *explorer.InputError) {
	box := a.el("error")
	for _, el := range a.inputs {
		el.RemoveAttribute("aria-invalid")
	}
	var msg strings.Builder
	switch {
	case err != nil:
		msg.WriteString(html.EscapeString(err.Message))
		if el, ok := a.inputs[err.Field]; ok {
			el.SetAttribute("aria-invalid", "true")
			if err.Start >= 0 {
				fmt.Fprintf(&msg, ` <button type="button" data-goto="%s" data-start="%d" data-end="%d">Show where</button>`,
					err.Field, err.Start, err.End)
			}
		}
	case a.form.Get(explorer.KeyMode) != explorer.ModeSimulate && a.page != nil && a.page.Dissection.Problem != "":
		d := a.page.Dissection
		fmt.Fprintf(&msg, `The bytes stop making sense: %s <button type="button" data-sel="%s">Show the field</button>`,
			html.EscapeString(d.Problem), html.EscapeString(d.Nodes[d.Failure].Path))
	}
	box.SetInnerHTML(msg.String())
	setHidden(box, msg.Len() == 0)
}

// gotoError focuses the text area named by the button and selects the text at fault.
func (a *app) gotoError(button *dom.BasicHTMLElement) {
	ta, ok := a.inputs[button.GetAttribute("data-goto")].(*dom.HTMLTextAreaElement)
	if !ok {
		return
	}
	var start, end int
	fmt.Sscan(button.GetAttribute("data-start"), &start)
	fmt.Sscan(button.GetAttribute("data-end"), &end)
	ta.Focus()
	ta.SetSelectionRange(start, max(end, start+1), "forward")
}
