import Analysis
import Detect
import Fit
import Foundation
import Ingest
import ScalefitCore
import Testing

/// A noiseless saturating curve L = E + A·x^(−α) on `count` points from 10³ on, with a fixed
/// ±0.2% wobble so that the fit has residuals (and the covariance a scale).
func saturating(_ run: String, E: Double = 0.5, A: Double = 10, alpha: Double = 0.3, count: Int = 14) -> Series {
    let x = (0..<count).map { Foundation.pow(10, 3 + 0.4 * Double($0)) }
    let y = x.enumerated().map { i, x in (E + A * Foundation.pow(x, -alpha)) * (1 + 0.002 * (i % 2 == 0 ? 1 : -1)) }
    return Series(run: run, metric: "loss", x: x, values: y)
}

/// A pure power law L = A·x^(−α) with the same wobble.
func power(_ run: String, A: Double = 20, alpha: Double = 0.25, count: Int = 14) -> Series {
    let x = (0..<count).map { Foundation.pow(10, 3 + 0.4 * Double($0)) }
    let y = x.enumerated().map { i, x in A * Foundation.pow(x, -alpha) * (1 + 0.002 * (i % 2 == 0 ? 1 : -1)) }
    return Series(run: run, metric: "loss", x: x, values: y)
}

func items(_ list: [Series]) -> [SeriesItem] {
    list.enumerated().map { SeriesItem(id: SeriesID($0), series: $1) }
}

@Suite("Analysis: model choice, best fit, curves, detection keyed by identity")
struct AnalysisTests {
    @Test("ModelChoice: a law by name (broken is broken1), auto, generations; an unknown name is a usage error listing the names")
    func choice() throws {
        guard case .law(let law) = try ModelChoice(parsing: "broken") else { Issue.record("not a law"); return }
        #expect(law.name == "broken1")
        guard case .auto = try ModelChoice(parsing: "auto") else { Issue.record("not auto"); return }
        #expect(try ModelChoice(parsing: "generations").possibleLaws.map(\.name) == ["generations-linear", "generations-power", "generations-log"])
        #expect(try ModelChoice(parsing: "auto").possibleLaws.count == LawCatalog.all.count)
        do {
            _ = try ModelChoice(parsing: "quadratic")
            Issue.record("an unknown model was accepted")
        } catch let error as UsageError {
            #expect(error.exitStatus == .badInput)
            #expect(error.message.contains("unknown model \"quadratic\"") && error.message.contains("saturating") && error.message.contains("auto"))
        }
    }

    @Test("the curve a fit draws afterwards is exactly what the fit predicts at the same x (value and both bands)")
    func curveMatchesFitPredictions() throws {
        let series = saturating("curve")
        let grid = SeriesFit.curveGrid(for: series)
        #expect(grid.count == 120)
        #expect(grid.first! == series.x.first!)
        #expect(abs(Foundation.log10(grid.last!) - (Foundation.log10(series.x.last!) + 0.3)) < 1e-12)
        var options = FitOptions()
        options.predictX = grid
        let predicted = try SaturatingLaw().fit(to: series, options: options)
        let fit = try SeriesFit(result: try SaturatingLaw().fit(to: series, options: FitOptions()), law: SaturatingLaw())
        let curve = fit.curve(at: grid)
        #expect(curve.count == predicted.predictions.count)
        for (a, b) in zip(curve, predicted.predictions) {
            #expect(a.x == b.x && a.value == b.value)
            #expect(a.confidenceBand?.lower == b.confidenceBand?.lower && a.confidenceBand?.upper == b.confidenceBand?.upper)
            #expect(a.predictionInterval?.lower == b.predictionInterval?.lower && a.predictionInterval?.upper == b.predictionInterval?.upper)
        }
        // The band is real: it contains the curve, and it is narrower inside the data than
        // at the end of the extrapolation.
        let inside = try #require(curve[60].confidenceBand), beyond = try #require(curve[119].confidenceBand)
        #expect(inside.lower < curve[60].value && curve[60].value < inside.upper)
        #expect((inside.upper - inside.lower) / curve[60].value < (beyond.upper - beyond.lower) / curve[119].value)
        // The fitted values at the data recover the curve (E = 0.5, A = 10, α = 0.3) within the wobble.
        for (y, f) in zip(series.values, fit.values(at: series)) { #expect(abs(f / y - 1) < 0.005) }
        #expect(abs(fit.result.values[2] - 0.3) < 0.01)
    }

    @Test("fitBest with auto: the candidates compared, the best first with the rule that chose it; one law: no comparison")
    func fitBestAuto() throws {
        let series = saturating("curve")
        let best = try Fitting.fitBest(series, choice: .auto, options: FitOptions())
        // broken2 joins from 14 points (LawCatalog.candidates).
        #expect(best.comparison.map(\.model).sorted() == ["broken1", "broken2", "m3", "m4", "power", "saturating"])
        #expect(best.comparison.first?.model == best.result.model)
        #expect(best.law.name == best.result.model)
        // The rule that chose it travels with the choice, not among the warnings.
        #expect(best.result.selection?.hasPrefix("\(best.result.model) chosen by the rule: lowest AICc among the converged fits") == true)
        #expect(!best.result.warnings.contains { $0.contains("chosen among") })
        // The saturating truth: the chosen law reproduces the data to the wobble.
        for (y, f) in zip(series.values, best.values(at: series)) { #expect(abs(f / y - 1) < 0.005) }
        let one = try Fitting.fitBest(series, choice: .law(SaturatingLaw()), options: FitOptions())
        #expect(one.comparison.isEmpty && one.skipped.isEmpty && one.result.model == "saturating")
        #expect(!one.result.warnings.contains { $0.contains("chosen among") })
    }

    @Test("a series no law can take: refused as bad input (exit 2), and every law skipped is named")
    func refused() throws {
        // Every x ≤ 0: no law has a logarithm to work with.
        let tiny = Series(run: "tiny", metric: "loss", x: [-2, -1, 0], values: [2, 1.5, 1.2])
        do {
            _ = try Fitting.fitBest(tiny, choice: .auto, options: FitOptions())
            Issue.record("a series with no positive x was fitted")
        } catch let error as FitError {
            #expect(error.exitStatus == .badInput)
            #expect(error.message == "tiny/loss: none of the laws could be fitted")
        }
        let analysed = Fitting.fitEach(items([tiny, saturating("ok")]), choice: .auto, options: FitOptions())
        #expect(analysed.map(\.id) == [SeriesID(0), SeriesID(1)])
        #expect(analysed[0].fit == nil && analysed[0].refusal == .badInput)
        #expect(analysed[0].skipped.map(\.law) == ["power", "saturating", "m3", "m4"])
        #expect(analysed[0].skipWarnings.first == "tiny/loss: power skipped: error: tiny/loss: every point has x ≤ 0; scaling laws need positive inputs")
        #expect(analysed[1].fit?.result.converged == true)
        #expect(analysed[1].series.run == "ok")
    }

    @Test("fitEach: the same fits, in input order, whatever the thread count")
    func threadInvariance() throws {
        let list = items((0..<6).map { saturating("run\($0)", E: 0.4 + 0.05 * Double($0), alpha: 0.25 + 0.02 * Double($0)) })
        var one = FitOptions(), three = FitOptions()
        one.threads = 1
        three.threads = 3
        let a = Fitting.fitEach(list, choice: .auto, options: one), b = Fitting.fitEach(list, choice: .auto, options: three)
        #expect(a.map(\.series.run) == list.map(\.series.run) && b.map(\.id) == list.map(\.id))
        for (x, y) in zip(a, b) {
            let fx = try #require(x.fit), fy = try #require(y.fit)
            #expect(fx.result.model == fy.result.model)
            #expect(fx.result.values == fy.result.values)
            #expect(fx.result.aicc == fy.result.aicc)
            #expect(fx.comparison.map(\.model) == fy.comparison.map(\.model))
        }
    }

    @Test("detect: a skipped short series does not shift the verdicts; each verdict stays with its series")
    func detectionPairing() throws {
        let short = Series(run: "a-short-run", metric: "loss", x: [10, 100, 1000], values: [0.5, 0.3, 0.2])
        let list = items([short, power("scaling-run"), short, saturating("saturating-run", E: 1, A: 40, alpha: 0.5, count: 20)])
        var notices: [String] = []
        let detection = try Detection.judge(list, detector: CurveDetector(threads: 1), notice: { notices.append($0) })
        #expect(detection.skipped.map(\.id) == [SeriesID(0), SeriesID(2)])
        #expect(detection.judged.map(\.id) == [SeriesID(1), SeriesID(3)])
        for judged in detection.judged {
            #expect(judged.verdict.series == judged.item.series.name)
            let fit = try #require(judged.fit)
            #expect(fit.law.name == judged.verdict.chosenModel)
        }
        // The power law scales; the curve with a floor does not (saturating, or plateaued when
        // the floor is reached inside the data).
        #expect(detection.judged[0].verdict.kind == .scaling)
        #expect(detection.judged[1].verdict.kind != .scaling)
        #expect(notices == [
            "a-short-run/loss: skipped: detection needs at least 4 points, got 3",
            "a-short-run/loss: skipped: detection needs at least 4 points, got 3",
            "2 of 4 series skipped (fewer than 4 points)",
        ])
        // Spread over threads, the same verdicts for the same series.
        let spread = try Detection.judge(list + items([power("p2"), power("p3"), power("p4"), power("p5")]).map {
            SeriesItem(id: SeriesID($0.id.ordinal + 4), series: $0.series)
        }, detector: CurveDetector(threads: 2), notice: { _ in })
        #expect(spread.judged.prefix(2).map(\.verdict.kind) == detection.judged.map(\.verdict.kind))
        #expect(spread.judged.prefix(2).map(\.verdict.chosenModel) == detection.judged.map(\.verdict.chosenModel))
    }

    @Test("detect: nothing long enough is a usage error with the count")
    func nothingToJudge() throws {
        let short = Series(run: "s", metric: "", x: [1, 2], values: [1, 0.5])
        #expect(throws: UsageError.self) { try Detection.judge(items([short]), detector: CurveDetector(), notice: { _ in }) }
    }

    @Test("ingested series carry their band and their place as identity")
    func ingestedItems() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalefit-analysis-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("panel.csv")
        try """
            "Step","a - loss","a - loss__MIN","a - loss__MAX","b - loss"
            "10","3.0","2.9","3.1","4.0"
            "20","2.5","2.4","2.6","3.5"
            "40","2.2","2.1","2.3","3.1"

            """.write(to: file, atomically: true, encoding: .utf8)
        let ingested = try Ingest.read(paths: [file.path], options: IngestOptions())
        let list = ingested.items
        #expect(list.map(\.id) == [SeriesID(0), SeriesID(1)])
        #expect(list.map(\.series.run) == ["a", "b"])
        #expect(list[0].band?.lower == [2.9, 2.4, 2.1] && list[0].band?.upper == [3.1, 2.6, 2.3])
        #expect(list[1].band == nil)
    }
}

@Suite("progress: a counter on a terminal only, never in piped output (issue 17)")
struct ProgressTests {
    /// What `ProgressLine` wrote to a pipe standing in for standard error.
    static func written(quiet: Bool, terminal: Bool, _ body: (ProgressLine) -> Void) -> String {
        let pipe = Pipe()
        let progress = ProgressLine("fitting", total: 3, quiet: quiet, delay: 0, output: pipe.fileHandleForWriting, terminal: terminal)
        body(progress)
        progress.finish()
        try? pipe.fileHandleForWriting.close()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test("fitEach counts every series on a terminal, clears its line, and says nothing when quiet or piped")
    func counts() {
        let items = ["a", "b", "c"].enumerated().map { SeriesItem(id: SeriesID($0.offset), series: saturating($0.element)) }
        let shown = Self.written(quiet: false, terminal: true) { progress in
            _ = Fitting.fitEach(items, choice: .law(SaturatingLaw()), options: FitOptions(), progress: progress)
        }
        // One line per series, redrawn in place; the last says 3/3; the line is cleared.
        #expect(shown.components(separatedBy: "\r\u{1B}[K").filter { $0.hasPrefix("fitting ") }.count == 3)
        #expect(shown.contains("fitting 3/3: "))
        #expect(shown.hasSuffix("\r\u{1B}[K"))
        #expect(Self.written(quiet: true, terminal: true) { progress in (0..<3).forEach { _ in progress.advance("x") } }.isEmpty)
        #expect(Self.written(quiet: false, terminal: false) { progress in (0..<3).forEach { _ in progress.advance("x") } }.isEmpty)
        // A series name drives no terminal: its escape sequence is shown escaped.
        let named = Self.written(quiet: false, terminal: true) { $0.advance("lo\u{1B}[31mss") }
        #expect(named.contains("lo\\x1b[31mss") && !named.contains("lo\u{1B}[31m"))
    }
}
