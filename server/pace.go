package server

import "time"

// frame is a display frame: a browser draws at most this often.
const (
	frame = time.Second / 60
	// framePace is how many messages a client is sent per frame on
	// average under load: more would only be drawn together.
	framePace = 2
	// paceBurst is how many may go out at once after a quieter spell.
	paceBurst = 2 * framePace
)

// pacer paces one client only under real load, as a token bucket:
// framePace messages a frame on average, up to paceBurst at once. A few
// changes that happen to arrive together (a pod created while the ones
// before it turn Running and Ready) then go out at once, where a window of
// framePace a frame held the third back for the rest of the frame; only a
// sustained flood waits, and never longer than one token takes to come
// (frame/framePace). The cursor merges what arrives meanwhile.
type pacer struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date; zero: never
}

func (p *pacer) refill(now time.Time) {
	if p.at.IsZero() {
		p.tokens, p.at = paceBurst, now
		return
	}
	if now.After(p.at) {
		p.tokens = min(paceBurst, p.tokens+float64(now.Sub(p.at))*framePace/float64(frame))
		p.at = now
	}
}

// sent takes a token for a message that went out at now.
func (p *pacer) sent(now time.Time) {
	p.refill(now)
	p.tokens--
}

// delay is how long to wait before the next message.
func (p *pacer) delay(now time.Time) time.Duration {
	p.refill(now)
	if p.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - p.tokens) * float64(frame) / framePace)
}
