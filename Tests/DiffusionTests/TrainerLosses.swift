import Diffusion

extension Trainer {
    /// Trains on the calling thread and returns each step's loss; with `stopAt`, asks the
    /// trainer to stop (writing a checkpoint) after that step.
    func trainedLosses(stopAt: Int? = nil) -> [Double] {
        var losses: [Double] = []
        runLoop { event in
            if case .step(let r) = event {
                losses.append(r.loss)
                if r.step == stopAt { send(.stop(checkpoint: true)) }
            }
        }
        return losses
    }
}
