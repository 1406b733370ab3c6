WBDit.runAndExit()
