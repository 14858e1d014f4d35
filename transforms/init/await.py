await {init}()
