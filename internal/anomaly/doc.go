// Package anomaly flags sudden departures of a metric from its recent
// behaviour and forecasts when a steadily moving metric reaches a limit.
//
// # Baselines
//
// A Detector keeps, per series, an exponentially weighted moving average
// (EWMA) of the value and an exponentially weighted variance (Finch,
// "Incremental calculation of weighted mean and variance", 2009):
//
//	d = x - mean;  mean += alpha*d;  var = (1-alpha)*(var + alpha*d*d)
//
// With Alpha = 0.05 the baseline's memory is about 1/alpha = 20 samples.
// A sample is anomalous when |x - expected| > K * sigma, with K = 5 by
// default and sigma = sqrt(var) floored at max(MinSigma, MinSigmaRatio *
// |expected|) (defaults 0 and 0.001), so that a perfectly flat series
// does not flag noise of a tenth of a percent. K is higher than the usual
// 3 or 4 because an EW variance over ~40 effective samples has heavier
// tails than a normal distribution: on the tests' 4,032-sample pure-noise
// series K = 4 raised 5 false alarms, K = 5 one. Nothing is flagged
// during the first WarmUp (20) samples.
//
// An anomalous sample is not learnt, so a spike leaves no trace in the
// baselines. A departure that persists for ShiftAfter (6) consecutive
// samples on the same side is taken as a level shift: the level moves by
// the run's mean departure (the hour-of-day residuals stay), and the series
// is judged against its new level from then on (Result.LevelShift marks
// the sample). Slow ramps are followed by the EWMA and are deliberately
// not flagged: that is the forecast's job.
//
// # Daily seasonality
//
// Alongside the level, a Detector keeps one EWMA and EW variance per hour
// of the day (in Config.Location, UTC by default) of the residual x -
// level, with SeasonalAlpha (0.1; at a 5-minute step each hour gets 12
// samples a day). Once the series spans SeasonalDays (3) days and the
// hour's baseline has WarmUp samples, the expected value is
// level + that hour's mean residual and sigma is that hour's residual
// sigma, so a daily peak is expected and a spike at 4 a.m. stands out.
// Before that, the plain level baseline is used. SeasonalDays = 0
// disables seasonality.
//
// # Forecast
//
// Forecast fits a least-squares line to the points of a trailing window
// and reports when the line reaches a limit (disk usage reaching capacity,
// free space reaching zero, memory reaching its limit), if that is within
// the horizon and the fit is good enough (R² ≥ MinR2).
package anomaly
