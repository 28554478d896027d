import pytorch_lightning as pl
import torch
from torch import nn


class AudioClassifier(pl.LightningModule):
    def __init__(self, n_classes=35):
        super().__init__()
        self.net = nn.Sequential(nn.Conv1d(1, 32, 80, stride=16), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                                 nn.Linear(32, n_classes))
        self.loss_fn = nn.NLLLoss()

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        waveform, label = batch
        return self.loss_fn(self(waveform), label)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-2)
