import Testing
import RealModule
import ScalefitCore
@testable import Fit

/// Why a parameter has no error bar is an ``ErrorBar``; the note every output shows is
/// rendered from it, and the floor warning follows the law's ``ParameterRole``.
@Suite("Error bars and parameter roles")
struct ErrorBarTests {
    private func series(_ x: [Double], _ y: [Double]) -> Series { Series(run: "e", metric: "loss", x: x, values: y) }

    @Test("the notes are the output contract's words, byte for byte")
    func noteText() {
        #expect(ErrorBar.estimated.note == nil)
        #expect(ErrorBar.fixed.note == "fixed")
        #expect(ErrorBar.tied(to: "alpha").note == "tied to alpha")
        #expect(ErrorBar.atBound(.nonNegative).note == "at bound (≥ 0)")
        #expect(ErrorBar.atBound(.interval(0.001, 10)).note == "at bound ((0.001, 10.0))")
        #expect(ErrorBar.singular.note == "singular covariance (parameters not identified)")
        #expect(ErrorBar.noDegreesOfFreedom.note == "no degrees of freedom left for an error bar")
        #expect(ErrorBar.notFinite.note == "standard error not finite (the covariance overflowed)")
        #expect(IntervalProblem.notFinite.note == "95% interval not finite (value ± t·se overflowed)")
        #expect(IntervalProblem.profileOpen(below: true, above: false).note == "profile interval open below (the data do not bound it)")
        #expect(IntervalProblem.profileOpen(below: true, above: true).note == "profile interval open below and above (the data do not bound it)")
        // An interval's problem takes the place of the error bar's note.
        var estimate = ParameterEstimate(name: "A", value: 1)
        estimate.errorBar = .singular
        #expect(estimate.note == "singular covariance (parameters not identified)")
        estimate.intervalProblem = .profileOpen(below: false, above: true)
        #expect(estimate.note == "profile interval open above (the data do not bound it)")
    }

    @Test("fixed, tied and estimated parameters carry their error bar")
    func fixedTiedEstimated() throws {
        let law = ChinchillaLaw()
        var x: [Double] = [], x2: [Double] = [], y: [Double] = []
        var rng = SeededRandom(seed: 5)
        for n in [1e7, 3e7, 1e8, 3e8, 1e9] {
            for d in [1e9, 3e9, 1e10, 3e10] {
                x.append(n); x2.append(d)
                y.append(law.value(n, d, parameters: [1.69, 406.4, 410.7, 0.34, 0.34]) * Double.exp(0.005 * gaussian(&rng)))
            }
        }
        var options = FitOptions()
        options.tied = ["beta": "alpha"]
        options.fixed = ["E": 1.69]
        let result = try law.fit(to: Series(run: "c", metric: "loss", x: x, x2: x2, values: y), options: options)
        #expect(result.parameter("E")?.errorBar == .fixed)
        #expect(result.parameter("E")?.standardError == nil)
        #expect(result.parameter("beta")?.errorBar == .tied(to: "alpha"))
        #expect(result.parameter("beta")?.note == "tied to alpha")
        // A tied parameter has its source's standard error.
        #expect(result.parameter("beta")?.standardError == result.parameter("alpha")?.standardError)
        #expect(result.parameter("alpha")?.errorBar == .estimated)
        #expect(result.parameter("alpha")?.note == nil)
        #expect(result.parameter("alpha")!.value.isApproximatelyEqual(to: 0.34, relativeTolerance: 0.05))
    }

    @Test("a floor the data put at 0 is at its bound, without an error bar, and said to be indistinguishable from 0")
    func floorAtBound() throws {
        // A pure power law: the saturating law's floor E goes to its bound 0.
        let x = grid(10, 1e5, 16)
        let y = x.map { 40 * Double.pow($0, -0.35) }
        let result = try SaturatingLaw().fit(to: series(x, y))
        let e = try #require(result.parameter("E"))
        #expect(e.errorBar == .atBound(.nonNegative))
        #expect(e.note == "at bound (≥ 0)")
        #expect(e.standardError == nil && e.ci95 == nil)
        #expect(result.warnings.contains("the floor E is indistinguishable from 0"))
        #expect(result.parameter("alpha")!.value.isApproximatelyEqual(to: 0.35, relativeTolerance: 1e-6))
    }

    @Test("a well-determined floor raises no warning; a fixed one is not judged")
    func floorDetermined() throws {
        let law = SaturatingLaw()
        let x = grid(10, 1e6, 20)
        let y = x.map { law.value($0, .nan, parameters: [1.7, 40, 0.35]) }
        let free = try law.fit(to: series(x, y))
        #expect(free.parameter("E")?.errorBar == .estimated)
        #expect(!free.warnings.contains { $0.hasPrefix("the floor") })
        var options = FitOptions()
        options.fixed = ["E": 0]
        let fixed = try law.fit(to: series(x, y.map { $0 - 1.7 }), options: options)
        #expect(fixed.parameter("E")?.errorBar == .fixed)
        #expect(!fixed.warnings.contains { $0.hasPrefix("the floor") })
    }

    @Test("as many free parameters as points: no degrees of freedom for an error bar")
    func noDegreesOfFreedom() throws {
        let law = SaturatingLaw()
        let x = [10.0, 100, 1000]
        let y = x.map { law.value($0, .nan, parameters: [1.7, 40, 0.35]) }
        let result = try law.fit(to: series(x, y))
        #expect(result.degreesOfFreedom == 0)
        #expect(result.parameters.contains { $0.errorBar == .noDegreesOfFreedom })
        for p in result.parameters {
            if case .atBound = p.errorBar { continue }
            #expect(p.errorBar == .noDegreesOfFreedom, "\(p.name): \(p.note ?? "")")
            #expect(p.standardError == nil)
        }
    }

    @Test("the laws' floors have the floor role, and nothing else does")
    func floorRoles() {
        // The role replaces a rule by name (E, floor, E_inf): the catalog's laws give the
        // same parameters either way.
        for law in LawCatalog.all {
            for p in law.parameters {
                let namedFloor = ["E", "floor", "E_inf"].contains(p.name)
                #expect((p.role == .floor) == namedFloor, "\(law.name).\(p.name)")
            }
        }
        #expect(SaturatingLaw().parameters.map(\.role) == [.floor, .scale, .exponent])
        #expect(BrokenPowerLaw(breaks: 1).parameters.map(\.role) == [.floor, .scale, .exponent, .exponent, .breakpoint, nil])
        #expect(ChinchillaLaw().parameters.map(\.role) == [.floor, .scale, .scale, .exponent, .exponent])
    }

    @Test("profile intervals the data do not bound are reported open, by side")
    func profileOpen() throws {
        // A flat noisy curve: the saturating law's scale and exponent are not bounded by it.
        let law = SaturatingLaw()
        let x = grid(10, 1e5, 16)
        var rng = SeededRandom(seed: 11)
        let y = x.map { _ in 2 * Double.exp(0.01 * gaussian(&rng)) }
        var options = FitOptions()
        options.intervals = .profile
        let result = try law.fit(to: series(x, y), options: options)
        let open = result.parameters.filter { $0.intervalProblem != nil }
        #expect(!open.isEmpty)
        for p in open {
            guard case .profileOpen(let below, let above) = p.intervalProblem else {
                Issue.record("\(p.name): \(p.note ?? "")")
                continue
            }
            #expect(below || above)
            #expect(p.ci95 == nil)
            #expect(p.ci95Method == .profile)
        }
    }
}

@Suite("Law traits instead of names")
struct LawTraitTests {
    @Test("generation laws take x = 0; the other laws refuse it by name of the point")
    func positiveInputs() throws {
        #expect(LawCatalog.all.filter { !$0.needsPositiveInputs }.map(\.name) == ["generations-linear", "generations-power", "generations-log"])
        let x = [0.0, 1, 2, 3, 4, 5]
        let y = x.map { 0.1 + 0.05 * $0 }
        var options = FitOptions()
        options.space = .linear
        let fit = try GenerationLaw(.linear).fit(to: Series(run: "g", metric: "floor", x: x, values: y), options: options)
        #expect(fit.pointCount == 6)
        #expect(fit.parameter("b")!.value.isApproximatelyEqual(to: 0.05, relativeTolerance: 1e-9))
        let refused = #expect(throws: FitError.self) {
            try FitData.check(Series(run: "p", metric: "loss", x: x, values: y.map { $0 + 1 }), space: .log, law: PowerLaw())
        }
        #expect(refused?.message.contains("point 1 has x = 0.0 ≤ 0") == true)
    }
}
