using HaSim.Kernel;
using HaSim.Model.Cluster;
using HaSim.Primitives;

namespace HaSim.Model.Tests;

public class SideQueueTests
{
    private static readonly ModelEvent Wake = new(EventKind.ClientGivesUp, 0, 0);

    private sealed class Recorder(SideQueue<long> queue) : IEventHandler<ModelEvent>
    {
        public readonly List<(Instant At, long Item)> Taken = [];
        public int Wakes;

        public void Handle(Instant now, in ModelEvent ev)
        {
            Wakes++;
            while (queue.TryTakeDue(now, out var item))
            {
                Taken.Add((now, item));
            }
            queue.Rearm();
        }
    }

    private static Instant Ms(long ms) => Instant.Start + Duration.FromMilliseconds(ms);

    [Fact]
    public void ItemsComeOutAtTheirTimesInPostOrderWithOneSchedulerEventAtTheHead()
    {
        var scheduler = new Scheduler<ModelEvent>();
        var queue = new SideQueue<long>(scheduler, Wake);
        var recorder = new Recorder(queue);
        queue.Post(Ms(30), 1);
        queue.Post(Ms(10), 2); // moves the wake event up
        queue.Post(Ms(30), 3);
        queue.Post(Ms(20), 4);
        queue.Post(Ms(10), 5);
        Assert.Equal(1, scheduler.PendingEvents); // one wake event, moved up once

        scheduler.Run(recorder, RunLimits.For(Duration.FromSeconds(1)));

        Assert.Equal([(Ms(10), 2L), (Ms(10), 5L), (Ms(20), 4L), (Ms(30), 1L), (Ms(30), 3L)], recorder.Taken);
        Assert.Equal(3, recorder.Wakes);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void ClearDropsTheItemsAndTheWakeEvent()
    {
        var scheduler = new Scheduler<ModelEvent>();
        var queue = new SideQueue<long>(scheduler, Wake);
        var recorder = new Recorder(queue);
        queue.Post(Ms(10), 1);
        queue.Post(Ms(20), 2);
        queue.Clear();

        scheduler.Run(recorder, RunLimits.For(Duration.FromSeconds(1)));

        Assert.Equal(0, recorder.Wakes);
        Assert.Empty(recorder.Taken);
    }
}
