//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"html"
	"strconv"
	"syscall/js"
	"time"

	"honnef.co/go/js/dom/v2"

	"github.com/kwire-dev/kwire/wasm/explorer"
	"github.com/kwire-dev/kwire/wasm/simulator"
)

// simState is the Simulator's part of the page: the last run's result, and whether one is under
// way.
type simState struct {
	result  *simulator.Result
	running bool
	runs    int // runs finished, for the browser test to wait on
}

// bindSim listens to the Simulator's presets, and to its timeline: an exchange opened shows its
// bytes, and a request can go to the Decode view.
func (a *app) bindSim() {
	listen(a.el("sim-panel").Value, "click", func(e *dom.BasicEvent) {
		if b := closest(target(e), "[data-preset]"); b != nil {
			a.applyPreset(b.GetAttribute("data-preset"))
		}
	})
	timeline := a.el("sim-timeline").Value
	listenCapture(timeline, "toggle", func(e *dom.BasicEvent) { a.onExchangeToggle(target(e)) })
	listen(timeline, "click", func(e *dom.BasicEvent) {
		if b := closest(target(e), "[data-decode]"); b != nil {
			i, _ := strconv.Atoi(b.GetAttribute("data-decode"))
			a.openInDecode(i)
		}
	})
}

// simFault is the fault the form names; an unknown one is none.
func simFault(f explorer.Form) simulator.Fault {
	fault, err := simulator.ParseFault(f.Get(explorer.KeySimFault))
	if err != nil {
		return simulator.FaultNone
	}
	return fault
}

// fillFaults lists the faults in their select.
func (a *app) fillFaults() {
	var opts string
	for _, fi := range simulator.Faults {
		opts += fmt.Sprintf(`<option value="%s">%s</option>`, fi.Fault, html.EscapeString(fi.Label))
	}
	a.el(explorer.KeySimFault).SetInnerHTML(opts)
}

// checkSim shows what is wrong with the Simulator's inputs, if anything, and what the fault does.
func (a *app) checkSim() {
	_, err := simulator.ReadSettings(a.form, time.Now())
	a.showError(explorer.AsInputError(err))
	info := simFault(a.form).Info()
	text := info.Does
	if info.Fault != simulator.FaultNone {
		text += " The mock broker is told: " + info.Broker + "."
	}
	a.el("sim-fault-info").SetTextContent(text)
}

// applyPreset sets the Simulator's inputs as preset id says and runs it.
func (a *app) applyPreset(id string) {
	p := simulator.FindPreset(id)
	if p == nil {
		return
	}
	for k, v := range p.Values {
		a.form[k] = v
	}
	a.writeInputs()
	a.update()
	a.runSim()
}

// runSim runs a simulation of the form's settings, unless one is under way or an input is wrong.
// The run goes on in a goroutine, so that the page stays responsive; its result replaces the
// last one's when it ends.
func (a *app) runSim() {
	if a.sim.running {
		return
	}
	s, err := simulator.ReadSettings(a.form, time.Now())
	if err != nil {
		a.showError(explorer.AsInputError(err))
		return
	}
	a.sim.running = true
	a.el("sim-run").SetAttribute("disabled", "")
	a.el("sim-output").SetAttribute("aria-busy", "true")
	a.el("sim-status").SetTextContent("Running: kwire's producer is talking to kwire's mock broker…")
	go func() {
		res := simulator.Run(context.Background(), s)
		a.showSimResult(res)
	}()
}

// showSimResult shows a finished run: its verdict, the log, the callbacks and the timeline, or why
// it could not run.
func (a *app) showSimResult(res *simulator.Result) {
	a.sim.running = false
	a.sim.runs++
	a.el("sim-run").RemoveAttribute("disabled")
	a.el("sim-output").RemoveAttribute("aria-busy")
	if res.Err != nil {
		a.showError(explorer.AsInputError(res.Err))
		a.el("sim-status").SetTextContent("The simulation could not run: " + res.Err.Error())
	} else {
		a.sim.result = res
		a.el("sim-status").SetInnerHTML(res.VerdictHTML())
		a.el("sim-log").SetInnerHTML(res.LogHTML())
		a.el("sim-results").SetInnerHTML(res.CallbacksHTML())
		a.el("sim-timeline").SetInnerHTML(res.TimelineHTML())
	}
	a.jsDoc.Get("body").Get("dataset").Set("simRuns", a.sim.runs)
}

// onExchangeToggle fills an exchange's bytes in when it is first opened.
func (a *app) onExchangeToggle(details *dom.BasicHTMLElement) {
	if details == nil || a.sim.result == nil || !details.Get("open").Truthy() {
		return
	}
	box := element(details.Call("querySelector", ".bytes"))
	if box == nil || box.HasChildNodes() {
		return
	}
	i, err := strconv.Atoi(box.GetAttribute("data-bytes"))
	if err != nil {
		return
	}
	box.SetInnerHTML(a.sim.result.BytesHTML(i, a.lineWidth()))
}

// openInDecode shows exchange i's request in the Decode view, where its fields can be explored.
func (a *app) openInDecode(i int) {
	if a.sim.result == nil {
		return
	}
	a.form[explorer.KeyDecodeInput] = a.sim.result.RequestHex(i)
	a.setMode(explorer.ModeDecode)
	a.el("tab-decode").Focus()
}

// listenCapture is listen in the capture phase, for events that do not bubble, such as a details
// element's toggle.
func listenCapture(on js.Value, typ string, fn func(e *dom.BasicEvent)) {
	on.Call("addEventListener", typ, js.FuncOf(func(_ js.Value, args []js.Value) any {
		fn(&dom.BasicEvent{Value: args[0]})
		return nil
	}), true)
}
