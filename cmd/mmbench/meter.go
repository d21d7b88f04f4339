package main

import (
	"slices"
	"time"
)

// meter times the measured part of a workload run and collects the
// process's page faults and peak RSS over it. A workload may call start and
// stop several times (open does it 50 times); seconds is then the median
// lap, faults are summed and the peak is the highest seen.
type meter struct {
	laps        []time.Duration
	t0          time.Time
	u0          usage
	minorFaults int64
	majorFaults int64
	peakRSS     int64
}

func (m *meter) start() {
	resetPeakRSS()
	m.u0 = readUsage()
	m.t0 = time.Now()
}

func (m *meter) stop() {
	d := time.Since(m.t0)
	u := readUsage()
	m.laps = append(m.laps, d)
	m.minorFaults += u.minorFaults - m.u0.minorFaults
	m.majorFaults += u.majorFaults - m.u0.majorFaults
	m.peakRSS = max(m.peakRSS, peakRSS())
}

// seconds is the median lap.
func (m *meter) seconds() float64 {
	return median(durationsToSeconds(m.laps))
}

func durationsToSeconds(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = d.Seconds()
	}
	return out
}

// median of xs (the mean of the middle two for an even count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// usage is what getrusage reports for this process.
type usage struct {
	minorFaults, majorFaults int64
}
