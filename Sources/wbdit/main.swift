print("wbdit")
