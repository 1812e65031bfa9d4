//go:build !race

package graph

const raceDetector = false
