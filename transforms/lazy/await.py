await {loader}()
