"""The processes that hold TensorFlow, and the small client the pages talk to.

The web server draws pages and never imports TensorFlow: once ``keras`` is imported, Streamlit
resets Keras and collects garbage after every script run of every visitor. So training, the
Draw page's answers, fine-tuning and the 2D Playground run in worker processes started by the
app. What the package holds:

- ``client``: what pages call (and the only module of this package they import); it hides
  processes and pipes;
- ``messages``: every job, reply and payload that crosses between the server and a worker,
  declared once;
- ``pool``: the server's side of the training workers (a queue, one thread per worker,
  replacing a worker that dies or has trained enough); ``playground_client``: the 2D
  Playground's job in that pool;
- ``trainer``: a training worker's main loop (one job at a time, at the lowest CPU priority,
  obeying pause/stop/learning-rate messages between epochs); ``playground``: the 2D
  Playground's job as the training worker runs it;
- ``inference``: what the inference worker runs (the bundled CNN kept loaded, visitors'
  networks cached by an unguessable key);
- ``process``: one worker process and the pipe to it; ``forkserver``: the process that
  imports TensorFlow once and forks every worker from it; ``__main__``: a worker started on
  its own, when forking fails.

Only plain data crosses: specs, numpy arrays, weights, records.
"""
