import Fit
import Foundation
import Ingest
import ScalefitCore

/// One fit read back from a `scalefit fit --json` document.
struct SavedFit {
    var series: String
    var model: String
    var formula: String
    var converged: Bool
    var fitted: FittedLaw
}

/// Reads the fits of a `scalefit fit --json` document (the estimates, covariance, residual
/// variance, degrees of freedom, space and bootstrap replicates it saves).
enum SavedFitReader {
    static func read(_ path: String) throws -> [SavedFit] {
        let data: Data
        do {
            data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw InputError(file: path, message: "cannot read the file: \(error.localizedDescription)")
        }
        let root = try JSONValue.parse([UInt8](data), file: path)
        guard case .array(let fits)? = root["fits"] else {
            throw InputError(file: path, field: "fits", message: "expected the document of `scalefit fit --json` (an object with a \"fits\" list)")
        }
        guard !fits.isEmpty else { throw InputError(file: path, field: "fits", message: "the document holds no fit") }
        return try fits.enumerated().map { index, fit in try parse(fit, field: "fits[\(index)]", file: path) }
    }

    private static func parse(_ fit: JSONValue, field: String, file: String) throws -> SavedFit {
        func fail(_ key: String, _ message: String) -> InputError {
            InputError(file: file, field: "\(field).\(key)", message: message)
        }
        func string(_ key: String) -> String? {
            if case .string(let s)? = fit[key] { return s }
            return nil
        }
        func number(_ value: JSONValue?) -> Double? {
            if case .number(let v)? = value { return v }
            return nil
        }
        func matrix(_ key: String, columns: Int) throws -> [[Double]]? {
            guard let raw = fit[key], raw != .null else { return nil }
            guard case .array(let rows) = raw else { throw fail(key, "expected a list of rows of numbers") }
            return try rows.enumerated().map { r, row in
                guard case .array(let cells) = row, cells.count == columns else {
                    throw fail("\(key)[\(r)]", "expected a list of \(columns) numbers")
                }
                return cells.map { number($0) ?? .nan }
            }
        }
        guard case .object = fit else { throw InputError(file: file, field: field, message: "expected an object") }
        guard let model = string("model") else { throw fail("model", "missing (a string)") }
        let series = string("series") ?? ""
        let formula = string("formula") ?? ""
        guard case .array(let parameters)? = fit["parameters"] else { throw fail("parameters", "missing (a list)") }
        let law: any ScalingLaw
        if model == "custom" {
            law = try CustomLawReading.law(formula: formula, parameters: parameters, fail: fail)
        } else {
            guard let known = LawCatalog.law(named: model) else {
                throw fail("model", "unknown model \"\(model)\"")
            }
            law = known
        }
        let names = parameters.map { p -> String in
            if case .string(let s)? = p["name"] { return s }
            return ""
        }
        guard names == law.parameterNames else {
            throw fail("parameters", "\(model) has parameters \(law.parameterNames.joined(separator: ", ")), found \(names.joined(separator: ", "))")
        }
        let values = try parameters.enumerated().map { j, p -> Double in
            guard let v = number(p["value"]) else { throw fail("parameters[\(j)].value", "missing or not a number") }
            return v
        }
        guard let spaceText = string("space"), let space = ResidualSpace(rawValue: spaceText) else {
            throw fail("space", "expected \"log\" or \"linear\"")
        }
        guard let dof = number(fit["degrees_of_freedom"]), dof == dof.rounded(), abs(dof) < 1e9 else {
            throw fail("degrees_of_freedom", "missing or not an integer")
        }
        guard fit["residual_variance"] != nil, fit["covariance"] != nil else {
            throw fail("covariance", "missing: this document was written before fits were saved with their covariance; fit again")
        }
        let variance = number(fit["residual_variance"]) ?? .nan
        let covariance = try matrix("covariance", columns: values.count)
        let replicates = try matrix("bootstrap_replicates", columns: values.count)
        var converged = false
        if case .bool(let b)? = fit["converged"] { converged = b }
        let fitted = try FittedLaw(
            law: law, values: values, covariance: covariance, residualVariance: variance,
            degreesOfFreedom: Int(dof), space: space, bootstrapReplicates: replicates)
        return SavedFit(series: series, model: model, formula: formula, converged: converged, fitted: fitted)
    }

    /// The fits to use: all of them, or the one whose series is `name`; non-converged fits
    /// are refused (they are never shown as a result).
    static func select(_ fits: [SavedFit], series name: String?, file: String) throws -> [SavedFit] {
        var chosen = fits
        if let name {
            chosen = fits.filter { $0.series == name }
            guard !chosen.isEmpty else {
                throw UsageError("\(file) has no fit of series \"\(name)\"; it has \(fits.map { "\"\($0.series)\"" }.joined(separator: ", "))")
            }
        }
        if let bad = chosen.first(where: { !$0.converged }) {
            throw FitError("\(file): the fit of \(bad.series) (\(bad.model)) did not converge; it gives no predictions", exitStatus: .failure)
        }
        return chosen
    }
}
