package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// Control is the body of POST /api/replay.
type Control struct {
	Action string `json:"action"` // play | pause | seek | speed
	// Time is the seek target in seconds since the start (action seek).
	Time *float64 `json:"time,omitempty"`
	// Happening is the index of a happening to seek to (action seek).
	Happening *int `json:"happening,omitempty"`
	// Speed is the new speed (action speed).
	Speed *float64 `json:"speed,omitempty"`
}

// Apply carries out one control.
func (p *Player) Apply(ctl Control) error {
	switch ctl.Action {
	case "play":
		p.Play()
	case "pause":
		p.Pause()
	case "speed":
		if ctl.Speed == nil {
			return errors.New(`action "speed" needs "speed", e.g. {"action":"speed","speed":2}`)
		}
		return p.SetSpeed(*ctl.Speed)
	case "seek":
		switch {
		case ctl.Happening != nil && ctl.Time != nil:
			return errors.New(`action "seek" takes "time" or "happening", not both`)
		case ctl.Happening != nil:
			return p.SeekHappening(*ctl.Happening)
		case ctl.Time != nil:
			t := *ctl.Time
			if math.IsNaN(t) || math.IsInf(t, 0) {
				return errors.New("seek: time must be a number of seconds")
			}
			return p.SeekTime(time.Duration(math.Round(t * float64(time.Second))))
		default:
			return errors.New(`action "seek" needs "time" (seconds) or "happening" (index)`)
		}
	case "":
		return errors.New(`missing "action": play, pause, seek or speed`)
	default:
		return fmt.Errorf("unknown action %q: want play, pause, seek or speed", ctl.Action)
	}
	return nil
}

// DecodeControl parses one Control, strictly: unknown fields are refused so
// a typo is an error rather than a no-op.
func DecodeControl(body []byte) (Control, error) {
	var ctl Control
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ctl); err != nil {
		return Control{}, errors.New("body: " + jsonProblem(err))
	}
	return ctl, nil
}
