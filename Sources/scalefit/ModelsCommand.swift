import ArgumentParser
import Fit

/// `scalefit models`: the zoo, with formulas and parameter domains.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List the scaling laws scalefit fits, with formulas and parameters.")

    func run() {
        for law in LawCatalog.all {
            print("\(law.name)\(law.inputCount == 2 ? " (two inputs: --x N,D)" : "")")
            print("  \(law.formula)")
            if let kind = LawCatalog.theoryKind(law.name) { print("  \(kind)") }
            for p in law.parameters {
                print("    \(p.name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(p.domain.description.padding(toLength: 14, withPad: " ", startingAt: 0)) \(p.meaning)")
            }
            for d in law.derived { print("    derived: \(d.name): \(d.meaning)") }
        }
        for (name, meaning) in LawCatalog.groups.sorted(by: { $0.key < $1.key }) { print("\(name)\n  \(meaning)") }
    }
}
