import Diffusion
import TextUI
import Foundation
import Kernels
import Networks
import Storage

/// Turns keys into changes of the view and into actions. It reads the state but never
/// changes it: only events do. Every key is safe in every state.
public struct KeyHandler {
    /// Where runs live (for the new-run and resume forms).
    public var runsFolder: String
    /// The theme names the picker offers.
    public var themes: [String]

    public init(runsFolder: String, themes: [String]) {
        self.runsFolder = runsFolder
        self.themes = themes
    }

    public func handle(_ key: Key, _ state: WorkbenchState, _ view: inout ViewState) -> Action? {
        if let modal = view.modal { return handle(key, modal: modal, state, &view) }
        if case .character(let c) = key, let n = c.wholeNumberValue, let screen = ScreenID(rawValue: n) {
            view.screen = screen
            return nil
        }
        switch key {
        case .tab: view.screen = view.screen.next; return nil
        case .backTab: view.screen = view.screen.previous; return nil
        case .character("q"), .interrupt:
            if state.status.isActive { view.modal = .confirmQuit; return nil }
            return .quit(checkpoint: false)
        case .character("?"): view.screen = .help; return nil
        case .character(" "):
            switch state.status {
            case .running: return .send(.pause)
            case .paused: return .send(.resume)
            default: return nil
            }
        case .character("s"):
            view.modal = .form(.sample(defaultCells: max(2, min(200, state.reference?.count ?? 200)),
                                       typeChoices: labelChoices(state)?.texts ?? []))
            return nil
        case .character("c"): return .send(.checkpointNow)
        case .character("e"): return .evaluate
        case .character("w"):
            let picked = view.screen == .compare && state.runs.indices.contains(view.selectedRun)
                ? [runsFolder + "/" + state.runs[view.selectedRun].name] : []
            let paths = ([state.runPath].compactMap { $0 } + picked).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            return paths.isEmpty ? nil : .writeReport(runPaths: paths)
        case .character("n"): view.modal = .form(newRunForm(state)); return nil
        case .character("r"):
            view.modal = .picker(.resumeRun, state.runs.map(\.name), max(0, min(view.selectedRun, state.runs.count - 1)))
            return nil
        default: break
        }
        switch view.screen {
        case .train: handleTrain(key, &view)
        case .cells:
            if key == .character("t") {
                if view.colourByUnit != nil { view.colourByUnit = nil } else { view.colourByLabel.toggle() }
            }
        case .samples: return handleSamples(key, state, &view)
        case .compare: view.selectedRun = move(view.selectedRun, key, count: state.runs.count, page: 5)
        case .help:
            if key == .character("t") {
                view.modal = .picker(.theme, themes, themes.firstIndex(of: view.themeName) ?? 0)
            } else {
                view.helpScroll = move(view.helpScroll, key, count: 60, page: 10)
            }
        case .layers: handleLayers(key, state, &view)
        }
        return nil
    }

    private func handleTrain(_ key: Key, _ view: inout ViewState) {
        switch key {
        case .character("+"), .character("="): view.smoothing = min(view.smoothing + 1, LossSmoothing.strengths.count - 1)
        case .character("-"), .character("_"): view.smoothing = max(view.smoothing - 1, 0)
        case .character("l"): view.logScale.toggle()
        case .character("z"): view.window = view.window.next
        default: break
        }
    }

    /// ↑/↓ the layer, ←/→ the unit in its list, `m` colours the map by that unit, `/` a gene.
    private func handleLayers(_ key: Key, _ state: WorkbenchState, _ view: inout ViewState) {
        let listed = state.units?.mostSpecific(layer: view.selectedLayer) ?? []
        switch key {
        case .character("/"): view.modal = .search(view.geneQuery ?? "")
        case .left: view.selectedUnit = max(0, view.selectedUnit - 1)
        case .right: view.selectedUnit = min(max(0, listed.count - 1), view.selectedUnit + 1)
        case .character("m"):
            guard listed.indices.contains(view.selectedUnit) else { return }
            view.colourByUnit = (view.selectedLayer, listed[view.selectedUnit].index)
            view.screen = .cells
        default:
            let layer = move(view.selectedLayer, key, count: state.config?.model.depth ?? 0, page: 1)
            if layer != view.selectedLayer { (view.selectedLayer, view.selectedUnit) = (layer, 0) }
        }
    }

    private func handleSamples(_ key: Key, _ state: WorkbenchState, _ view: inout ViewState) -> Action? {
        if key == .character("/") { view.modal = .search(view.geneQuery ?? ""); return nil }
        view.selectedSample = move(view.selectedSample, key, count: state.samples?.count ?? 0, page: 10)
        return nil
    }

    /// A selection moved by arrow, page, home and end keys, kept within 0..<count.
    func move(_ index: Int, _ key: Key, count: Int, page: Int) -> Int {
        guard count > 0 else { return 0 }
        let moved: Int
        switch key {
        case .up: moved = index - 1
        case .down: moved = index + 1
        case .pageUp: moved = index - page
        case .pageDown: moved = index + page
        case .home: moved = 0
        case .end: moved = count - 1
        default: moved = index
        }
        return max(0, min(count - 1, moved))
    }

    // MARK: - Modals

    private func handle(_ key: Key, modal: Modal, _ state: WorkbenchState, _ view: inout ViewState) -> Action? {
        switch modal {
        case .confirmQuit:
            switch key {
            case .character("y"), .character("Y"): view.modal = nil; return .quit(checkpoint: true)
            case .character("n"), .character("N"), .escape, .character("q"): view.modal = nil
            default: break
            }
            return nil
        case .search(var text):
            switch key {
            case .escape: view.modal = nil
            case .enter:
                view.geneQuery = text.isEmpty ? nil : text
                view.modal = nil
            case .backspace: if !text.isEmpty { text.removeLast() }; view.modal = .search(text)
            case .character(let c) where text.count < 40: text.append(c); view.modal = .search(text)
            default: break
            }
            return nil
        case .picker(let purpose, let items, let selected):
            switch key {
            case .escape: view.modal = nil
            case .enter:
                view.modal = nil
                guard items.indices.contains(selected) else { return nil }
                switch purpose {
                case .theme:
                    view.themeName = items[selected]
                    return .setTheme(items[selected])
                case .resumeRun:
                    let path = runsFolder + "/" + items[selected]
                    let summary = state.runs.first { $0.name == items[selected] }
                    if let summary, summary.stepsDone >= summary.totalSteps { return .browse(runPath: path) }
                    return .resume(runPath: path)
                }
            default:
                view.modal = .picker(purpose, items, move(selected, key, count: items.count, page: 5))
            }
            return nil
        case .form(var form):
            switch key {
            case .escape: view.modal = nil; return nil
            case .enter:
                do {
                    let action = try submit(form, state)
                    view.modal = nil
                    return action
                } catch {
                    form.error = "\(error)"
                    view.modal = .form(form)
                    return nil
                }
            default:
                _ = form.handle(key)
                view.modal = .form(form)
                return nil
            }
        }
    }

    // MARK: - Forms

    /// The new-run form, filled with the open run's settings, or with the measured default
    /// (`wbdit train`'s: the small preset on the fast recipe) when no run is open.
    public func newRunForm(_ state: WorkbenchState) -> Form {
        let c = state.config
        let preset = try? TrainingPreset.small.plan(data: Self.sampleData)
        let m = c?.model ?? preset?.model
        let name = (RunCatalogue.freshPath(in: runsFolder, name: "run") as NSString).lastPathComponent
        return .newRun(data: c?.data.path ?? Self.sampleData, architecture: m?.architecture.rawValue ?? "wbdit",
                       hidden: m?.hiddenSize ?? 256, depth: m?.depth ?? 3, heads: m?.heads ?? 8, patch: m?.patchSize ?? 40,
                       batch: c?.batch ?? preset?.batch ?? 16, learningRate: c?.learningRate.peakRate ?? preset?.learningRate ?? 1e-3,
                       steps: c?.totalSteps, seed: c?.seed ?? 0, precision: c?.precision ?? .float32, run: name)
    }

    /// The sample cells `make run` trains on, the default data of a new run.
    public static let sampleData = "sample-data/pbmc3k.h5ad"

    /// The sample form's cell types, in a conditional run.
    func labelChoices(_ state: WorkbenchState) -> LabelChoices? {
        guard let attributes = state.config?.labelAttributes else { return nil }
        return LabelChoices(attributes: attributes, typeCounts: state.reference?.typeCounts ?? [:])
    }

    func submit(_ form: Form, _ state: WorkbenchState) throws -> Action {
        func integer(_ key: String, _ range: ClosedRange<Int>, _ label: String) throws -> Int {
            guard let v = Int(form[key].trimmingCharacters(in: .whitespaces)), range.contains(v) else {
                throw FormError("\(label) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return v
        }
        switch form.purpose {
        case .sample:
            let cells = try integer("cells", 1...5000, "cells")
            guard let method = SamplerSettings.Method(rawValue: form["sampler"].lowercased()) else {
                throw FormError("sampler must be ddim or ddpm")
            }
            // DDPM always takes the schedule's 1000 steps: the field is DDIM's.
            let steps = method == .ddpm ? 1000 : try integer("steps", SamplerSettings.stepRange, "DDIM steps")
            let settings = SamplerSettings(method: method, steps: steps)
            guard let choices = labelChoices(state), let request = choices.request(for: form["type"]) else {
                return .sample(cells: cells, settings: settings, labels: .none, guidance: .plain)
            }
            guard let guidance = Double(form["guidance"].trimmingCharacters(in: .whitespaces)),
                  SamplerSettings.guidanceRange.contains(guidance) else {
                throw FormError("guidance must be in [0, \(Int(SamplerSettings.guidanceRange.upperBound))]")
            }
            return .sample(cells: cells, settings: settings, labels: request, guidance: Guidance(guidance))
        case .newRun:
            let data = form["data"].trimmingCharacters(in: .whitespaces)
            guard FileManager.default.fileExists(atPath: data) else { throw FormError("no file \(data)") }
            guard let architecture = Architecture(rawValue: form["arch"].lowercased()) else {
                throw FormError("architecture must be wbdit or dit")
            }
            // The run builder `wbdit train` uses: the small preset under the current run's recipe
            // (or fast), then the form's network, batch, rate, steps and seed over it.
            var plan: RunPlan
            do {
                plan = try TrainingPreset.small.plan(data: data, architecture: architecture, recipe: state.config?.recipe ?? .fast)
                plan.model = try ModelConfig(architecture: architecture, inputWidth: 1, patchSize: try integer("patch", 1...10000, "patch"),
                                             hiddenSize: try integer("hidden", 1...8192, "hidden"),
                                             depth: try integer("depth", 1...64, "depth"), heads: try integer("heads", 1...256, "heads"))
            } catch let error as ConfigurationError { throw FormError(error.description) }
            if let c = state.config, c.data.path == DataSource.recorded(data) { plan.preparation = c.data.preparation }
            plan.stratifyBy = state.reference?.labelColumn
            plan.batch = try integer("batch", TrainingLimits.batch, "batch")
            guard let rate = Double(form["lr"]), rate > 0, rate.isFinite else { throw FormError("learning rate must be a positive number") }
            plan.learningRate = rate
            if !form["steps"].trimmingCharacters(in: .whitespaces).isEmpty { plan.totalSteps = try integer("steps", 1...10_000_000, "steps") }
            plan.seed = UInt64(try integer("seed", 0...Int(Int32.max), "seed"))
            plan.precision = ProductPrecision(rawValue: form["precision"]) ?? .float32
            if let c = state.config { (plan.checkpointEvery, plan.readoutEvery) = (c.checkpointEvery, c.readoutEvery) }
            let name = form["run"].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw FormError("name the run directory") }
            let path = name.contains("/") ? name : runsFolder + "/" + name
            guard !FileManager.default.fileExists(atPath: path) else { throw FormError("\(path) exists already") }
            do { try Folder.checkCreatable(path) } catch { throw FormError("\(error)") }
            do { try plan.validate() } catch { throw FormError("\(error)") }
            return .newRun(plan, runPath: path)
        }
    }
}

/// A form value was refused; shown in the form.
struct FormError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
